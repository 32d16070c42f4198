package dev.settle.ledger;

import static dev.settle.ledger.PostingRequest.credit;
import static dev.settle.ledger.PostingRequest.debit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Invariant 5: the database itself refuses to change or remove a posted entry. */
class ImmutabilityTest {
    private final TestBusiness salon = TestBusiness.create();
    private final PostedEntry sale = salon.post(
            "checkout", debit(salon.account(AccountKind.CASH), 10_00), credit(salon.account(AccountKind.SALES), 10_00));

    @Test
    void updatingOrDeletingEntriesOrPostingsIsRefusedByTheDatabase() {
        for (String sql : List.of(
                "update journal_entries set memo = 'edited' where business_id = %d and id = %d",
                "delete from journal_entries where business_id = %d and id = %d",
                "update postings set amount_minor = amount_minor * 2 where business_id = %d and entry_id = %d",
                "delete from postings where business_id = %d and entry_id = %d")) {
            assertThatThrownBy(() -> execute(sql.formatted(salon.id(), sale.id())))
                    .as(sql)
                    .hasMessageContaining("immutable");
        }
        assertThatThrownBy(() -> execute("truncate postings")).hasMessageContaining("immutable");
        assertThatThrownBy(() -> execute("truncate journal_entries cascade")).hasMessageContaining("immutable");

        assertThat(salon.balance(salon.account(AccountKind.CASH))).isEqualTo(10_00);
        final PostedEntry reread = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> new Ledger().entry(handle, salon.id(), sale.id()))
                .orElseThrow();
        assertThat(reread.postings()).isEqualTo(sale.postings());
        assertThat(reread.memo()).isEmpty();
    }

    @Test
    void noCodePathWritesUpdateOrDeleteAgainstTheLedgerTables() throws Exception {
        try (var sources = java.nio.file.Files.walk(java.nio.file.Path.of("src/main"))) {
            final List<String> offenders = sources.filter(path ->
                            path.toString().endsWith(".java") || path.toString().endsWith(".sql"))
                    .filter(path -> !path.getFileName().toString().startsWith("V1__"))
                    // The fault harness's R6 sends these, as the app's role, to see the database refuse them.
                    .filter(path -> !path.getFileName().toString().equals("RoleCheck.java"))
                    .filter(path -> {
                        try {
                            final String text =
                                    java.nio.file.Files.readString(path).toLowerCase(java.util.Locale.ROOT);
                            return text.matches(
                                    "(?s).*(update\\s+(journal_entries|postings)|delete\\s+from\\s+(journal_entries|postings)).*");
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(Object::toString)
                    .toList();
            assertThat(offenders).isEmpty();
        }
    }

    private static void execute(String sql) {
        TestDatabase.get().jdbi().useHandle(handle -> handle.execute(sql));
    }
}
