package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.Problem;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.Test;

/** A request that waited too long for a database connection is told to come back, not that Settle broke. */
class BusyTest {
    @Test
    void noConnectionInTimeIsA503ToRetry() {
        final ConnectionException poolTimedOut = new ConnectionException(new SQLTransientConnectionException(
                "settle - Connection is not available, request timed out after 5000ms"));

        assertThat(WebServer.busy(poolTimedOut)).hasValueSatisfying(problem -> {
            assertThat(problem.kind()).isEqualTo(Problem.Kind.UNAVAILABLE);
            assertThat(problem.kind().status).isEqualTo(503);
            assertThat(problem.detail()).isEqualTo("Settle is too busy to answer just now; try again in a moment.");
        });
    }

    @Test
    void anyOtherFailureIsNotBusy() {
        assertThat(WebServer.busy(new IllegalStateException("a bug"))).isEmpty();
    }
}
