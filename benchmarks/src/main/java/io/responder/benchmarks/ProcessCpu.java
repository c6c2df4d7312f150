package io.responder.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU time of this process, all its threads (the collector's and the compiler's among them), in
 * nanoseconds. On Linux from each thread's {@code /proc/self/task/TID/schedstat}, which counts in
 * nanoseconds, on the same clock as {@code ThreadMXBean.getCurrentThreadCpuTime}; elsewhere from the
 * platform's process CPU time, which Linux would count in ticks of 10 ms, too coarse for one block.
 * A read costs tens of microseconds (a file per thread). Thread-safe.
 */
final class ProcessCpu {
  private static final Path TASKS = Path.of("/proc/self/task");
  private static final boolean PER_THREAD = Files.isReadable(TASKS.resolve(mainTask()).resolve("schedstat"));

  private ProcessCpu() {}

  /** @return the process's CPU time so far, in nanoseconds */
  static long nanos() {
    if (PER_THREAD) {
      long sum = 0;
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
        for (Path task : tasks) {
          sum += schedstatNanos(task.resolve("schedstat"));
        }
        return sum;
      } catch (IOException e) {
        // fall through to the coarse clock
      }
    }
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The first field of a schedstat file: time spent on a CPU, nanoseconds; 0 for a thread gone meanwhile. */
  private static long schedstatNanos(Path schedstat) {
    try {
      String s = new String(Files.readAllBytes(schedstat), StandardCharsets.US_ASCII);
      int end = s.indexOf(' ');
      return Long.parseLong(end < 0 ? s.trim() : s.substring(0, end));
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /** The process's first thread, whose task id is the process id: always there. */
  private static String mainTask() {
    return String.valueOf(ProcessHandle.current().pid());
  }
}
