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

    private Jobs(Scheduler scheduler) {
        this.scheduler = scheduler;
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
        scheduler.start();
        return new Jobs(scheduler);
    }

    @Override
    public void close() {
        scheduler.stop();
    }
}
