package dev.settle.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Role;
import dev.settle.support.StaffSession;
import dev.settle.support.TestBusiness;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client money forms over plain HTTP: what a double click or a refused form leaves behind. */
class ClientMoneyPagesTest {
    private final TestBusiness salon = TestBusiness.create();
    private final Clients.Client ana = salon.aClient("Ana Silva");

    @Test
    void aPaymentFormSentTwiceRecordsOnceAndSaysSo() {
        final StaffSession desk = StaffSession.signIn(salon.staff(Role.FRONT_DESK));
        final Map<String, String> form = Map.of("amountMinor", "25", "tender", "cash", "formToken", "double-click");

        assertThat(desk.post("/clients/" + ana.id() + "/payment", form).status())
                .isEqualTo(303);
        assertThat(desk.post("/clients/" + ana.id() + "/payment", form).status())
                .isEqualTo(303);

        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(25_00);
        assertThat(desk.get("/clients/" + ana.id()).body())
                .contains("Already recorded; the form was sent twice. Record payment: done.");
        assertThat(desk.post(
                                "/clients/" + ana.id() + "/payment",
                                Map.of("amountMinor", "25", "tender", "cash", "formToken", "another"))
                        .status())
                .isEqualTo(303);
        assertThat(salon.balance(ana.openPayments().id())).isEqualTo(50_00);
    }

    @Test
    void aRefusedFormKeepsItsTokenFreeSoTheCorrectedFormRecords() {
        final StaffSession manager = StaffSession.signIn(salon.staff(Role.MANAGER));
        final String path = "/clients/" + ana.id() + "/charge";

        final var refused = manager.post(path, Map.of("amountMinor", "-5", "reason", "Fee", "formToken", "one"));
        final var charged = manager.post(path, Map.of("amountMinor", "5", "reason", "Fee", "formToken", "one"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("name=\"formToken\" value=\"one\"");
        assertThat(charged.status()).isEqualTo(303);
        assertThat(salon.balance(ana.receivable().id())).isEqualTo(5_00);
    }
}
