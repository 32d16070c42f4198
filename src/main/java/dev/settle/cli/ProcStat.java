package dev.settle.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A process's or thread's line in Linux's /proc ({@code /proc/PID/stat}, {@code
 * /proc/PID/task/TID/stat}): its name first, then the fields after it, numbered as here.
 */
final class ProcStat {
    static final int NAME = 0;
    static final int PARENT = 2;
    private static final int USER_TICKS = 12;
    private static final int SYSTEM_TICKS = 13;
    private static final int REAPED_CHILDREN_USER_TICKS = 14;
    private static final int REAPED_CHILDREN_SYSTEM_TICKS = 15;

    private ProcStat() {}

    /** The fields, or empty if the process has ended or /proc does not say. */
    static Optional<List<String>> read(Path stat) {
        final String line;
        try {
            line = Files.readString(stat);
        } catch (IOException e) {
            return Optional.empty();
        }
        // The name sits in parentheses and may hold spaces and parentheses itself.
        final int open = line.indexOf('(');
        final int close = line.lastIndexOf(')');
        final List<String> fields = new ArrayList<>();
        fields.add(line.substring(open + 1, close));
        fields.addAll(Arrays.asList(line.substring(close + 2).trim().split(" ")));
        return Optional.of(fields);
    }

    /** CPU ticks used, user and system, with those of the ended children it has waited for if asked. */
    static long ticks(List<String> fields, boolean withReapedChildren) {
        long ticks = Long.parseLong(fields.get(USER_TICKS)) + Long.parseLong(fields.get(SYSTEM_TICKS));
        if (withReapedChildren) {
            ticks += Long.parseLong(fields.get(REAPED_CHILDREN_USER_TICKS))
                    + Long.parseLong(fields.get(REAPED_CHILDREN_SYSTEM_TICKS));
        }
        return ticks;
    }

    /** The kernel counts CPU time in ticks of 1/100 s for every process, whatever its own clock. */
    static Duration duration(long ticks) {
        return Duration.ofMillis(ticks * 10);
    }
}
