package dev.settle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.settle.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The benchmark's reading of PostgreSQL's CPU, from /proc. */
class PostgresCpuTest {
    @Test
    void aProcessNameWithSpacesAndParenthesesDoesNotShiftTheFields() throws IOException {
        final Path stat = Files.createTempFile("stat", "");
        Files.writeString(
                stat, "4242 (C2 Compiler (1)) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 40 7 3 20 0 1 0 99 0 0\n");

        final List<String> fields = ProcStat.read(stat).orElseThrow();

        assertThat(fields.get(ProcStat.NAME)).isEqualTo("C2 Compiler (1)");
        assertThat(fields.get(ProcStat.PARENT)).isEqualTo("17");
        assertThat(ProcStat.ticks(fields, false)).isEqualTo(290);
        assertThat(ProcStat.ticks(fields, true)).isEqualTo(300);
        assertThat(ProcStat.duration(290).toMillis()).isEqualTo(2_900);
    }

    @Test
    void aProcessThatHasEndedReadsAsNothing() {
        assertThat(ProcStat.read(Path.of("/proc/no-such-process/stat"))).isEmpty();
    }

    @Test
    void theServersWorkShowsAsBusyCores() {
        final String url = System.getenv("SETTLE_TEST_DATABASE_URL");
        assumeTrue(url == null || url.isBlank() || url.contains("127.0.0.1") || url.contains("localhost"));
        final Optional<PostgresCpu> cpu = PostgresCpu.of(TestDatabase.get());
        assertThat(cpu).isPresent();
        final PostgresCpu.Mark from = cpu.get().mark();

        TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.createQuery(
                                "select count(*) from generate_series(1, 3000000) n where n % 7 = 0")
                        .mapTo(Long.class)
                        .one());

        assertThat(cpu.get().coresSince(from)).isGreaterThan(0.1);
    }
}
