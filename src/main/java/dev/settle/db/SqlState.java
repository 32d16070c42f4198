package dev.settle.db;

import java.sql.SQLException;
import java.util.Optional;

/** The SQLSTATE of a database failure, wherever it sits in the cause chain. */
public final class SqlState {
    public static final String UNIQUE_VIOLATION = "23505";
    public static final String CHECK_VIOLATION = "23514";
    public static final String FOREIGN_KEY_VIOLATION = "23503";
    public static final String NUMERIC_OUT_OF_RANGE = "22003";
    public static final String SERIALIZATION_FAILURE = "40001";
    public static final String DEADLOCK_DETECTED = "40P01";

    private SqlState() {}

    public static Optional<String> of(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
        }
        return Optional.empty();
    }

    /** The server's own message (without JDBC's wrapping), for errors Settle raises itself. */
    public static Optional<org.postgresql.util.ServerErrorMessage> serverMessage(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof org.postgresql.util.PSQLException psql && psql.getServerErrorMessage() != null) {
                return Optional.of(psql.getServerErrorMessage());
            }
        }
        return Optional.empty();
    }

    /** Failures that say nothing about the request: running it again may well succeed. */
    public static boolean isTransient(Throwable failure) {
        return of(failure)
                .map(state -> state.equals(SERIALIZATION_FAILURE)
                        || state.equals(DEADLOCK_DETECTED)
                        || state.startsWith("08") // connection exception
                        || state.equals("57P01")) // admin shutdown
                .orElse(false);
    }
}
