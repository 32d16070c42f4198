package dev.settle.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.settle.business.Role;
import dev.settle.support.StaffSession;
import dev.settle.support.TestApp;
import dev.settle.support.TestBusiness;
import dev.settle.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class ExportsTest {
    private final Jdbi jdbi = TestDatabase.get().jdbi();

    @Test
    void aLongHistoryIsWrittenInTheBackgroundAndHandedOverWhenReady() throws Exception {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        for (int charge = 1; charge <= 450; charge++) {
            business.charge(ana, charge);
        }
        final StaffSession desk = StaffSession.signIn(business.staff(Role.FRONT_DESK));
        desk.get("/clients/" + ana.id());

        final TestApp.Reply started = desk.post("/clients/" + ana.id() + "/history/exports?kind=charge", Map.of());

        assertThat(started.status()).isEqualTo(303);
        final String location = started.headers().get("location").getFirst();
        assertThat(location).matches("/exports/\\d+");
        assertThat(desk.get(location).body()).contains("<h1>Export</h1>");
        final String ready = pollUntilFinished(desk, location);
        assertThat(ready).contains("Ready: <a href=\"" + location + "/file\" download data-auto-download=\"yes\">");
        assertThat(ready).contains("(450 rows)");
        final String readyPage = desk.get(location).body();
        assertThat(readyPage).contains("Download client-").doesNotContain("data-auto-download");
        final var file = desk.download(location + "/file");
        assertThat(file.headers().firstValue("content-disposition"))
                .hasValue("attachment; filename=\"client-" + ana.id() + "-ana-silva-history.csv\"");
        final List<String> lines =
                new String(file.body(), StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(451);
        assertThat(lines.get(1)).contains(",charge,").contains(",USD,4.50,");
        assertThat(lines.getLast()).contains(",USD,0.01,0.01,");
    }

    @Test
    void theProgressShowsHowFarItHasGotAndAnExportThatStoppedMovingIsReportedFailed() {
        final TestBusiness business = TestBusiness.create();
        final StaffSession desk = StaffSession.signIn(business.staff(Role.FRONT_DESK));
        final long exportId = running(business, 1_200, 4_500);

        final String progress = htmx(desk, "/exports/" + exportId).body();

        assertThat(progress).contains("hx-get=\"/exports/" + exportId + "\"");
        assertThat(progress).contains("Writing history.csv: 1,200 of 4,500 rows");
        assertThat(progress).contains("<progress max=\"100\" value=\"26\"");
        assertThat(desk.get("/exports/" + exportId + "/file").status()).isEqualTo(404);

        jdbi.useHandle(handle ->
                handle.execute("update exports set updated_at = now() - interval '3 minutes' where id = ?", exportId));
        final String stopped = htmx(desk, "/exports/" + exportId).body();
        assertThat(stopped).contains("history.csv was not finished. Settle stopped while writing this file.");
        assertThat(stopped).doesNotContain("hx-get");
    }

    @Test
    void noMoreThanThreeRunAtOnceForABusiness() {
        final TestBusiness business = TestBusiness.create();
        final var ana = business.aClient("Ana Silva");
        for (int export = 0; export < Exports.RUNNING_PER_BUSINESS_MAX; export++) {
            running(business, 0, 10);
        }
        final StaffSession desk = StaffSession.signIn(business.staff(Role.FRONT_DESK));
        desk.get("/clients/" + ana.id());

        final TestApp.Reply refused = desk.post("/clients/" + ana.id() + "/history/exports", Map.of());

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.body()).contains("3 exports are already being written");
        final TestApp.Reply refusedInPlace = desk.send(desk.request("/clients/" + ana.id() + "/history/exports")
                .header("HX-Request", "true")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("_csrf=" + csrf(desk, ana.id())))
                .build());
        assertThat(refusedInPlace.status())
                .as("htmx puts only 2xx answers in place")
                .isEqualTo(200);
        assertThat(refusedInPlace.body()).contains("role=\"alert\"").contains("3 exports are already being written");
        final long exports =
                jdbi.withHandle(handle -> handle.createQuery("select count(*) from exports where business_id = ?")
                        .bind(0, business.id())
                        .mapTo(Long.class)
                        .one());
        assertThat(exports).isEqualTo(3);
    }

    @Test
    void anotherBusinessCannotSeeOrFetchAnExport() throws Exception {
        final TestBusiness salon = TestBusiness.create();
        final var ana = salon.aClient("Ana Silva");
        salon.charge(ana, 500);
        final StaffSession salonDesk = StaffSession.signIn(salon.staff(Role.FRONT_DESK));
        salonDesk.get("/clients/" + ana.id());
        final String location = salonDesk
                .post("/clients/" + ana.id() + "/history/exports", Map.of())
                .headers()
                .get("location")
                .getFirst();
        pollUntilFinished(salonDesk, location);
        final StaffSession otherDesk = StaffSession.signIn(TestBusiness.create().staff(Role.OWNER));

        assertThat(otherDesk.get(location).status()).isEqualTo(404);
        assertThat(otherDesk.get(location + "/file").status()).isEqualTo(404);
    }

    @Test
    void aClientWithAVeryLongNameIsExportedUnderAShortFilename() throws Exception {
        final TestBusiness business = TestBusiness.create();
        final var named = business.aClient("Maria " + "de la Concepción ".repeat(10) + "Silva");
        business.charge(named, 5_00);
        final StaffSession desk = StaffSession.signIn(business.staff(Role.FRONT_DESK));
        desk.get("/clients/" + named.id());

        final String location = desk.post("/clients/" + named.id() + "/history/exports", Map.of())
                .headers()
                .get("location")
                .getFirst();
        pollUntilFinished(desk, location);

        final String disposition = desk.download(location + "/file")
                .headers()
                .firstValue("content-disposition")
                .orElseThrow();
        assertThat(disposition).startsWith("attachment; filename=\"client-" + named.id() + "-maria-de-la-concepci-n-");
        assertThat(disposition.length()).isLessThan(120);
    }

    private static String csrf(StaffSession desk, long clientId) {
        final var matcher = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
                .matcher(desk.get("/clients/" + clientId).body());
        return matcher.find() ? matcher.group(1) : "";
    }

    private long running(TestBusiness business, int rowsWritten, int rowsExpected) {
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        insert into exports (business_id, filename, started_by, rows_written, rows_expected)
                        values (:business_id, 'history.csv', :staff, :written, :expected)
                        """)
                .bind("business_id", business.id())
                .bind("staff", business.staff(Role.FRONT_DESK).id())
                .bind("written", rowsWritten)
                .bind("expected", rowsExpected)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
    }

    private static TestApp.Reply htmx(StaffSession desk, String path) {
        return desk.send(desk.request(path).header("HX-Request", "true").GET().build());
    }

    private static String pollUntilFinished(StaffSession desk, String location) throws InterruptedException {
        final Instant giveUp = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            final String body = htmx(desk, location).body();
            if (!body.contains("hx-get") || Instant.now().isAfter(giveUp)) {
                return body;
            }
            Thread.sleep(100);
        }
    }
}
