package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Role;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a browser's own checks would stop, sent anyway: refused beside the field, nothing saved. */
class StaffPagesBadInputTest {

    @Test
    void anOverLongBusinessNameIsRefusedAndNothingIsSaved() {
        final TestBusiness business = TestBusiness.create();
        final StaffSession owner = StaffSession.signIn(business.staff(Role.OWNER));
        owner.get("/settings");

        final TestApp.Reply reply = owner.post("/settings", settings(Map.of("name", "x".repeat(201))));

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.body()).contains("id=\"name-error\">Business name must be at most 200 characters</p>");
        assertThat(reply.body()).contains("value=\"" + "x".repeat(201) + "\"");
        assertThat(businessName(business)).isEqualTo(business.name());
    }

    @Test
    void fractionalMinorUnitsAreRefusedForEveryCurrency() {
        final TestBusiness business = TestBusiness.create();
        final StaffSession owner = StaffSession.signIn(business.staff(Role.OWNER));
        owner.get("/settings");

        assertThat(owner.post("/settings", settings(Map.of("adjustmentApprovalLimit", "10.001")))
                        .body())
                .contains("Approval limit can have at most 2 decimal places in USD");
        assertThat(owner.post("/settings", settings(Map.of("currency", "JPY", "adjustmentApprovalLimit", "10.5")))
                        .body())
                .contains("Approval limit must be a whole number of JPY");
        assertThat(owner.post("/settings", settings(Map.of("adjustmentApprovalLimit", "1e3")))
                        .body())
                .contains("Approval limit must be an amount such as 25 or 25.50");
        assertThat(owner.post("/settings", settings(Map.of("currency", "ABC"))).body())
                .contains("ABC is not an ISO 4217 currency code");
        assertThat(owner.post("/settings", settings(Map.of("locale", "xx-YY"))).body())
                .contains("Choose one of the offered locales");
    }

    @Test
    void everyWrongSettingIsMarkedAtOnce() {
        final TestBusiness business = TestBusiness.create();
        final StaffSession owner = StaffSession.signIn(business.staff(Role.OWNER));
        owner.get("/settings");

        final String body = owner.post(
                        "/settings",
                        settings(Map.of(
                                "name",
                                "",
                                "currency",
                                "usd!",
                                "timeZone",
                                "Nowhere",
                                "adjustmentApprovalLimit",
                                "ten")))
                .body();

        assertThat(body)
                .contains("id=\"name-error\">Business name is required")
                .contains("id=\"currency-error\">Currency must be an ISO 4217 code such as USD or EUR")
                .contains("id=\"timeZone-error\">Time zone must be a name such as America/New_York")
                .contains("id=\"adjustmentApprovalLimit-error\">Approval limit must be an amount such as 25 or 25.50");
    }

    @Test
    void controlCharactersInNamesAreRefusedNotStored() {
        final TestBusiness business = TestBusiness.create();
        final StaffSession desk = StaffSession.signIn(business.staff(Role.FRONT_DESK));
        desk.get("/clients/new");

        final TestApp.Reply reply = desk.post("/clients", Map.of("name", "Nul\u0000Byte", "email", "", "phone", ""));

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.body()).contains("Name must not contain control characters");
        assertThat(desk.get("/clients/search?q=Nul%00Byte").status()).isEqualTo(200);
        assertThat(desk.get("/clients").body()).contains("No clients yet.");
    }

    @Test
    void datesOutsideTheCalendarPeopleUseAreRefusedBesideTheField() {
        final TestBusiness business = TestBusiness.create();
        final long clientId = business.aClient("Ana").id();
        final StaffSession desk = StaffSession.signIn(business.staff(Role.FRONT_DESK));

        final TestApp.Reply farFilter = desk.get("/clients/" + clientId + "?to=%2B999999999-12-31&from=-5000-01-01");
        final TestApp.Reply farAsOf = desk.get("/clients/" + clientId + "?asOf=%2B300000-01-01");
        final TestApp.Reply csv = desk.post("/clients/" + clientId + "/history/exports?from=nonsense", Map.of());

        assertThat(farFilter.status()).isEqualTo(422);
        assertThat(farFilter.body()).contains("id=\"to-error\">Choose a date between 1900 and 9999");
        assertThat(farFilter.body()).contains("id=\"from-error\">Choose a date");
        assertThat(farAsOf.status()).isEqualTo(422);
        assertThat(farAsOf.body()).contains("Choose a date between 1900 and 9999");
        assertThat(csv.status()).isEqualTo(400);
        assertThat(csv.body()).contains("Choose a date such as 2026-11-01");
    }

    @Test
    void aFormPostWithoutItsTokenIsRefusedAndChangesNothing() {
        final TestBusiness business = TestBusiness.create();
        final StaffSession owner = StaffSession.signIn(business.staff(Role.OWNER));

        final TestApp.Reply reply = owner.postWithoutToken("/settings", settings(Map.of("name", "Forged")));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(reply.body()).contains("This form has expired");
        assertThat(businessName(business)).isEqualTo(business.name());
    }

    @Test
    void staffAndKeysOfAnotherBusinessAreNotFoundAndUntouched() {
        final TestBusiness theirs = TestBusiness.create();
        final long theirManager = theirs.staff(Role.MANAGER).id();
        final StaffSession owner = StaffSession.signIn(TestBusiness.create().staff(Role.OWNER));
        owner.get("/staff");

        assertThat(owner.post("/staff/" + theirManager + "/deactivate", Map.of())
                        .status())
                .isEqualTo(404);
        assertThat(owner.post("/staff/" + theirManager + "/role", Map.of("role", "front_desk"))
                        .status())
                .isEqualTo(404);
        final long theirKey = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("select id from api_keys where business_id = :business_id")
                        .bind("business_id", theirs.id())
                        .mapTo(Long.class)
                        .one());
        assertThat(owner.post("/api-keys/" + theirKey + "/revoke", Map.of()).status())
                .isEqualTo(404);
        assertThat(TestApp.get(theirs.apiKey(), "/api/v1/business").status()).isEqualTo(200);
        final String role = TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("select role || active from staff_users where id = :id")
                        .bind("id", theirManager)
                        .mapTo(String.class)
                        .one());
        assertThat(role).isEqualTo("managertrue");
    }

    @Test
    void anUnknownPageIsAPageNotProblemJson() {
        final StaffSession desk = StaffSession.signIn(TestBusiness.create().staff(Role.FRONT_DESK));

        final TestApp.Reply reply = desk.get("/no-such-page");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.contentType()).startsWith("text/html");
        assertThat(reply.body()).contains("There is no page at /no-such-page.");
    }

    @Test
    void anHtmxRequestAfterTheSessionEndsIsSentToSignIn() {
        final StaffSession nobody = new StaffSession();

        final TestApp.Reply reply = nobody.send(nobody.request("/clients/search?q=a")
                .header("HX-Request", "true")
                .GET()
                .build());

        assertThat(reply.header("HX-Redirect")).isEqualTo("/signin");
    }

    private static Map<String, String> settings(Map<String, String> changes) {
        final Map<String, String> fields = new LinkedHashMap<>(
                Map.of("name", "Salon", "currency", "USD", "timeZone", "America/New_York", "locale", "en-US"));
        fields.putAll(changes);
        return fields;
    }

    private static String businessName(TestBusiness business) {
        return TestDatabase.get()
                .jdbi()
                .withHandle(handle -> handle.createQuery("select name from businesses where id = :id")
                        .bind("id", business.id())
                        .mapTo(String.class)
                        .one());
    }
}
