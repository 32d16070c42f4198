package dev.settle.jobs;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.jdbc.PostgreSqlJdbcCustomization;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * Settle's background jobs on db-scheduler (decision 0012): each recurring job runs on one app
 * instance at a time, however many share the database, and a job that was running when an
 * instance died is picked up by another.
 */
public final class Jobs implements AutoCloseable {

    /** A job: its name, how long after one run the next starts, and what it does. */
    public record Job(String name, Duration every, Runnable run) {}

    private final Scheduler scheduler;
    private final Thread starting;

    private Jobs(Scheduler scheduler, Thread starting) {
        this.scheduler = scheduler;
        this.starting = starting;
    }

    public static Jobs start(DataSource dataSource, List<Job> jobs) {
        final List<RecurringTask<Void>> tasks = jobs.stream()
                .map(job -> Tasks.recurring(job.name(), FixedDelay.of(job.every()))
                        .execute((instance, context) -> job.run().run()))
                .toList();
        final Scheduler scheduler = Scheduler.create(dataSource)
                // PostgreSQL is the only database (no detection, which would wait on a server that is down).
                .jdbcCustomization(new PostgreSqlJdbcCustomization(false, false))
                .startTasks(tasks)
                .threads(2)
                .pollingInterval(Duration.ofSeconds(1))
                .shutdownMaxWait(Duration.ofSeconds(5))
                .build();
        // Started beside the web server, not before it: with the database down, the scheduler waits out
        // a connection timeout per job, while /health should answer at once (503).
        return new Jobs(
                scheduler, Thread.ofPlatform().name("jobs-start").daemon().start(scheduler::start));
    }

    @Override
    public void close() {
        starting.interrupt();
        try {
            starting.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.stop();
    }
}
