package dev.settle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.money.Money;
import dev.settle.support.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Invariant 8: money is never a floating-point number, in the database, the code or JSON. */
class NoFloatingPointMoneyTest {
    private static final java.util.Set<String> BENCHMARKS =
            java.util.Set.of("BenchCommand.java", "HttpBench.java", "BenchResults.java", "PostgresCpu.java");

    @Test
    void noColumnInTheSchemaIsAFloatingPointOrArbitraryNumericType() {
        final List<String> columns = TestDatabase.get()
                .jdbi()
                .withHandle(
                        handle -> handle.createQuery("""
                select table_name || '.' || column_name || ' ' || data_type
                from information_schema.columns
                where table_schema = 'public'
                  and data_type in ('real', 'double precision', 'numeric', 'money')
                  and table_name <> 'flyway_schema_history'
                """).mapTo(String.class).list());
        assertThat(columns).isEmpty();
    }

    @Test
    void noMainSourceDeclaresAFloatOrDouble() throws IOException {
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            final List<String> offenders = sources.filter(
                            path -> path.toString().endsWith(".java"))
                    // Benchmarks compute rates and ratios, never money.
                    .filter(path -> !BENCHMARKS.contains(path.getFileName().toString()))
                    .filter(path -> withoutComments(read(path))
                            .matches("(?s).*(\\b(float|double)\\b|(?<![.\\w])(Float|Double)\\b).*"))
                    .map(Path::toString)
                    .toList();
            assertThat(offenders).isEmpty();
        }
    }

    @Test
    void moneyIsFormattedForPeopleExactlyFromMinorUnits() {
        assertThat(Money.of(123_456_789_01L, "USD").format(Locale.US)).isEqualTo("$123,456,789.01");
        assertThat(Money.of(1_050, "EUR").format(Locale.GERMANY)).isEqualTo("10,50\u00a0€");
        assertThat(Money.of(500, "JPY").format(Locale.JAPAN)).isEqualTo("￥500");
    }

    private static String withoutComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
