package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Role;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every staff page, asked for by the wrong person: sent to sign in, or refused, never served. */
class PageRoutesTest {

    @Test
    void onlySignInAndTheClientPortalAreOpenToEveryone() {
        final List<String> open = WebServer.pageRoutes().stream()
                .filter(route -> route.least().isEmpty())
                .map(route -> route.method() + " " + route.path())
                .toList();

        assertThat(open)
                .containsExactlyInAnyOrder(
                        "GET /signin",
                        "POST /signin",
                        "GET /portal/{businessId}/gift-cards",
                        "POST /portal/{businessId}/gift-cards",
                        "GET /portal/{businessId}",
                        "GET /portal/{businessId}/statement",
                        "GET /portal/{businessId}/statement.pdf",
                        "POST /portal/{businessId}/sign-in",
                        "GET /portal/{businessId}/link/{token}",
                        "GET /portal/{businessId}/invoices/{invoiceId}",
                        "POST /portal/{businessId}/invoices/{invoiceId}/apply-funds",
                        "POST /portal/{businessId}/sign-out",
                        "POST /portal/{businessId}/invoices/{invoiceId}/pay-by-card",
                        "GET /portal/{businessId}/card-return",
                        "POST /portal/{businessId}/pay-balance",
                        "GET /portal/{businessId}/buy-gift-card",
                        "POST /portal/{businessId}/buy-gift-card",
                        "POST /portal/{businessId}/saved-cards/{savedCardId}/remove",
                        "GET /test-processor/{intentId}",
                        "POST /test-processor/{intentId}",
                        "POST /test-processor/{intentId}/confirm",
                        // Stripe signs it; the signature is checked before anything is read.
                        "POST /webhooks/stripe/{businessId}");
    }

    @Test
    void everyStaffPageSendsSomeoneNotSignedInToSignIn() {
        final StaffSession nobody = new StaffSession();
        for (WebServer.PageRoute route : WebServer.pageRoutes()) {
            if (route.least().isEmpty()) {
                continue;
            }
            final String path = route.path().replaceAll("\\{[^/]+}", "1");
            final TestApp.Reply reply =
                    route.method() == HandlerType.GET ? nobody.get(path) : nobody.postWithoutToken(path, Map.of());
            assertThat(reply.status()).as(route.toString()).isEqualTo(303);
            assertThat(reply.header("Location")).as(route.toString()).startsWith("/signin");
        }
    }

    @Test
    void everyPageAboveARoleRefusesItEvenWithAValidFormAndChangesNothing() {
        final TestBusiness business = TestBusiness.create();
        final long someone = business.staff(Role.FRONT_DESK).id();
        final var client = business.aClient("Ana Silva");
        business.openPayment(client, 50_00);
        dev.settle.support.TestDatabase.get()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        "update businesses set adjustment_approval_limit_minor = 1 where id = ?", business.id()));
        final StaffSession asker = StaffSession.signIn(business.staff(Role.MANAGER));
        asker.post("/clients/" + client.id() + "/charge", Map.of("amountMinor", "20", "reason", "Fee"));
        final long approval = dev.settle.support.TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("select id from pending_approvals where business_id = :b")
                        .bind("b", business.id())
                        .mapTo(Long.class)
                        .one());
        final Map<String, String> form = Map.of(
                "role",
                "owner",
                "name",
                "Taken over",
                "label",
                "x",
                "amountMinor",
                "10",
                "reason",
                "goodwill",
                "tender",
                "cash");
        for (Role role : List.of(Role.FRONT_DESK, Role.MANAGER)) {
            final StaffSession session = StaffSession.signIn(business.staff(role));
            for (WebServer.PageRoute route : WebServer.pageRoutes()) {
                if (route.least().filter(least -> !role.includes(least)).isEmpty()) {
                    continue;
                }
                final String path = route.path()
                        .replace("{clientId}", String.valueOf(client.id()))
                        .replace("{approvalId}", String.valueOf(approval))
                        .replaceAll("\\{[^/]+}", String.valueOf(someone));
                final TestApp.Reply reply =
                        route.method() == HandlerType.GET ? session.get(path) : session.post(path, form);
                assertThat(reply.status()).as(role + " " + route).isEqualTo(403);
                assertThat(reply.body())
                        .as(role + " " + route)
                        .contains("This needs the " + route.least().orElseThrow().label + " role.");
            }
        }
        assertThat(business.balance(client.openPayments().id())).isEqualTo(50_00);
        assertThat(business.balance(client.receivable().id())).isZero();
        assertThat(business.balance(client.credits().id())).isZero();
        final long waiting = dev.settle.support.TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery(
                                "select count(*) from pending_approvals where business_id = :b and decision is null")
                        .bind("b", business.id())
                        .mapTo(Long.class)
                        .one());
        assertThat(waiting).isEqualTo(1);
        final StaffSession owner = StaffSession.signIn(business.staff(Role.OWNER));
        assertThat(owner.get("/staff").body()).doesNotContain("Taken over");
        assertThat(owner.get("/api-keys").body())
                .contains("created with the business")
                .doesNotContain(">x<");
    }
}
