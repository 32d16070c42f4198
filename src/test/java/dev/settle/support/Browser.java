package dev.settle.support;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's Chromium, driven by Playwright, against a Settle on a free port over the test database.
 * Each test gets a fresh browser context (no cookies); a failing test leaves a screenshot and the
 * page's HTML in {@code target/browser-failures/}.
 */
public final class Browser implements BeforeEachCallback, AfterTestExecutionCallback, AfterEachCallback {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path FAILURES = Path.of("target", "browser-failures");
    private static com.microsoft.playwright.Browser shared;

    private final List<BrowserContext> contexts = new java.util.ArrayList<>();
    private final boolean bypassCsp;
    private BrowserContext context;
    private Page page;

    public Browser() {
        this(false);
    }

    private Browser(boolean bypassCsp) {
        this.bypassCsp = bypassCsp;
    }

    /** A browser that lets tests inject scripts (an accessibility checker) past the pages' CSP. */
    public static Browser bypassingContentSecurityPolicy() {
        return new Browser(true);
    }

    private static synchronized com.microsoft.playwright.Browser shared() {
        if (shared == null) {
            if (!Files.isExecutable(CHROMIUM)) {
                throw new IllegalStateException(
                        "browser tests need Debian's Chromium at " + CHROMIUM + ": apt-get install -y chromium");
            }
            // Playwright would otherwise download its own browsers; this machine's Chromium is used.
            final Playwright playwright = Playwright.create(
                    new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
            shared = playwright
                    .chromium()
                    .launch(new BrowserType.LaunchOptions()
                            .setExecutablePath(CHROMIUM)
                            .setHeadless(true)
                            .setArgs(List.of(
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--disable-dev-shm-usage",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--disable-quic",
                                    "--no-first-run")));
            final com.microsoft.playwright.Browser started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                playwright.close();
            }));
        }
        return shared;
    }

    @Override
    public void beforeEach(ExtensionContext extension) {
        context = newContext();
        page = context.newPage();
    }

    @Override
    public void afterTestExecution(ExtensionContext extension) throws IOException {
        if (extension.getExecutionException().isPresent() && page != null && !page.isClosed()) {
            Files.createDirectories(FAILURES);
            final String name = extension.getRequiredTestClass().getSimpleName() + "."
                    + extension.getRequiredTestMethod().getName();
            page.screenshot(new Page.ScreenshotOptions()
                    .setPath(FAILURES.resolve(name + ".png"))
                    .setFullPage(true));
            Files.writeString(FAILURES.resolve(name + ".html"), page.content());
        }
    }

    @Override
    public void afterEach(ExtensionContext extension) {
        contexts.forEach(BrowserContext::close);
        contexts.clear();
    }

    public Page page() {
        return page;
    }

    public BrowserContext context() {
        return context;
    }

    /** A second, separate browser (its own cookies): another person at another desk. */
    public Page anotherBrowser() {
        return newContext().newPage();
    }

    private BrowserContext newContext() {
        final BrowserContext created = shared().newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(1280, 900)
                .setBypassCSP(bypassCsp)
                .setBaseURL(baseUrl()));
        created.setDefaultTimeout(10_000);
        contexts.add(created);
        return created;
    }

    public static String baseUrl() {
        return "http://127.0.0.1:" + TestApp.port();
    }

    /** Signs in through the sign-in page and waits for the first page after it. */
    public Page signIn(TestStaff staff) {
        return signIn(page, staff.email(), TestStaff.PASSWORD);
    }

    public static Page signIn(Page page, String email, String password) {
        page.navigate("/signin");
        return fillSignIn(page, email, password);
    }

    /** Fills and sends the sign-in form the page is showing. */
    public static Page fillSignIn(Page page, String email, String password) {
        page.getByLabel("Email").fill(email);
        page.getByLabel("Password").fill(password);
        page.getByRole(com.microsoft.playwright.options.AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in"))
                .click();
        page.waitForLoadState();
        return page;
    }
}
