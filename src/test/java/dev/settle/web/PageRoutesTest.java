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
    void onlySignInItselfIsOpenToEveryone() {
        final List<String> open = WebServer.pageRoutes().stream()
                .filter(route -> route.least().isEmpty())
                .map(route -> route.method() + " " + route.path())
                .toList();

        assertThat(open).containsExactlyInAnyOrder("GET /signin", "POST /signin");
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
    void everyOwnersPageRefusesAFrontDeskAndAManagerEvenWithAValidForm() {
        final TestBusiness business = TestBusiness.create();
        final long someone = business.staff(Role.FRONT_DESK).id();
        for (Role role : List.of(Role.FRONT_DESK, Role.MANAGER)) {
            final StaffSession session = StaffSession.signIn(business.staff(role));
            for (WebServer.PageRoute route : WebServer.pageRoutes()) {
                if (route.least().filter(least -> least == Role.OWNER).isEmpty()) {
                    continue;
                }
                final String path = route.path().replaceAll("\\{[^/]+}", String.valueOf(someone));
                final TestApp.Reply reply = route.method() == HandlerType.GET
                        ? session.get(path)
                        : session.post(path, Map.of("role", "owner", "name", "Taken over", "label", "x"));
                assertThat(reply.status()).as(role + " " + route).isEqualTo(403);
                assertThat(reply.body()).as(role + " " + route).contains("This needs the Owner role.");
            }
        }
        final StaffSession owner = StaffSession.signIn(business.staff(Role.OWNER));
        assertThat(owner.get("/staff").body()).doesNotContain("Taken over");
        assertThat(owner.get("/api-keys").body())
                .contains("created with the business")
                .doesNotContain(">x<");
    }
}
