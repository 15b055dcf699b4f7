package io.lambdarun.local;

import io.lambdarun.api.FollowedLines;
import io.lambdarun.api.LogLine;
import io.lambdarun.api.LogLineListener;
import io.lambdarun.api.LogLineSplitter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the output files of followed instances to their listeners from one thread shared by all
 * of them: every {@link #POLL} it reads what each file gained, cuts it into lines, keeps the last
 * {@code tailBytes} of them for {@link #since} and hands each to the instance's listener. The
 * thread runs only while an instance is followed.
 *
 * <p>Text without a newline is held for one more pass: if the next pass reads nothing more, it is
 * delivered as a line, since a runtime (the Java client's {@code LambdaLogger}, a handler's {@code
 * write}) may write its last line of an event without one and then wait for the next event.
 *
 * <p>A followed instance's stream ends, after its last bytes and a final line without newline, once
 * its runtime process exited (checked every tenth pass) or {@link #end} was called. A file read
 * past {@code rotateBytes} is emptied after the read; what the processes write between that read
 * and the truncation is lost, as with the unfollowed log's rotation.
 */
final class OutputFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OutputFollower.class);

  /** How long the thread sleeps between two passes over the followed files. */
  static final Duration POLL = Duration.ofMillis(10);

  private static final int EXIT_CHECK_PASSES = 10;
  private static final int MAX_LINE_BYTES = 256 * 1024;
  private static final Duration FLUSH_WAIT = Duration.ofSeconds(1);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

  private final int tailBytes;
  private final long rotateBytes;
  private final Map<String, Followed> active = new ConcurrentHashMap<>();
  private final Map<String, Followed> known = new ConcurrentHashMap<>();
  private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
  private Thread thread; // guarded by this
  private long passes; // guarded by this

  /**
   * Creates the follower; its thread starts with the first {@link #follow}.
   *
   * @param tailBytes how much of each instance's latest output {@link #since} can return
   * @param rotateBytes the size past which a file is emptied once read
   */
  OutputFollower(int tailBytes, long rotateBytes) {
    this.tailBytes = tailBytes;
    this.rotateBytes = rotateBytes;
  }

  /**
   * Starts following an instance's output file from its first byte.
   *
   * @param id the instance
   * @param file the file its processes append to
   * @param process its runtime process, whose exit ends the stream
   * @param listener receives the lines
   * @return false when the instance is followed already
   * @throws IOException if the file cannot be opened
   */
  boolean follow(String id, Path file, RuntimeProcess process, LogLineListener listener)
      throws IOException {
    Followed followed = new Followed(id, file, process, new FollowedLines(listener, tailBytes));
    if (known.putIfAbsent(id, followed) != null) {
      followed.channel.close();
      return false;
    }
    active.put(id, followed);
    synchronized (this) {
      if (thread == null) {
        thread = new Thread(this::run, "lambdarun-local-output");
        thread.setDaemon(true);
        thread.start();
      }
    }
    return true;
  }

  /** Tells whether {@link #follow} was called for the instance and it was not forgotten since. */
  boolean follows(String id) {
    return known.containsKey(id);
  }

  /**
   * Returns the followed instance's kept lines read at or after {@code since}, after one more pass
   * over its file so that what it wrote before this call is included.
   *
   * @return the lines, each ended by a newline; empty when the instance is not followed
   */
  Optional<String> since(String id, Instant since) {
    Followed followed = known.get(id);
    if (followed == null) {
      return Optional.empty();
    }
    if (active.containsKey(id)) {
      awaitPasses(2);
    }
    return Optional.of(followed.lines.since(since));
  }

  /**
   * Ends an instance's stream (its last bytes and line are still delivered, from the follower's
   * thread) and forgets its kept lines. The instance's file may be deleted at once: its stream
   * still reads the open file.
   */
  void end(String id) {
    Followed followed = known.remove(id);
    if (followed != null) {
      followed.ended = true;
      wake();
    }
  }

  /** Ends every stream and waits (boundedly) for the thread to deliver the rest and stop. */
  @Override
  public void close() {
    known.keySet().forEach(this::end);
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    synchronized (this) {
      while (thread != null && deadline - System.nanoTime() > 0) {
        waitQuietly(deadline);
      }
    }
  }

  private synchronized void wake() {
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }

  private synchronized void awaitPasses(int count) {
    long target = passes + count;
    long deadline = System.nanoTime() + FLUSH_WAIT.toNanos();
    while (thread != null && passes < target && deadline - System.nanoTime() > 0) {
      LockSupport.unpark(thread);
      waitQuietly(deadline);
    }
  }

  private void waitQuietly(long deadline) {
    try {
      wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    for (long pass = 0; ; pass++) {
      boolean checkExits = pass % EXIT_CHECK_PASSES == 0;
      for (Followed followed : active.values()) {
        boolean last = followed.ended || checkExits && !followed.process.isRunning();
        followed.read(buffer, rotateBytes);
        if (last) {
          followed.finish();
          active.remove(followed.id, followed);
        }
      }
      synchronized (this) {
        passes++;
        notifyAll();
        if (active.isEmpty()) {
          thread = null;
          return;
        }
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  /** One followed instance: its open file, where reading stopped, its partial line and tail. */
  private static final class Followed {
    final String id;
    final Path file;
    final RuntimeProcess process;
    final FollowedLines lines;
    final FileChannel channel;
    final LogLineSplitter splitter = new LogLineSplitter(MAX_LINE_BYTES);
    long offset; // read and written by the follower's thread only
    volatile boolean ended;

    Followed(String id, Path file, RuntimeProcess process, FollowedLines lines) throws IOException {
      this.id = id;
      this.file = file;
      this.process = process;
      this.lines = lines;
      this.channel = FileChannel.open(file, StandardOpenOption.READ);
    }

    /**
     * Reads what the file gained and delivers the lines it completes; delivers text without a
     * newline when the file gained nothing since the pass that read it.
     */
    void read(ByteBuffer buffer, long rotateBytes) {
      try {
        if (channel.size() < offset) {
          offset = 0;
        }
        boolean gained = false;
        while (true) {
          buffer.clear();
          int read = channel.read(buffer, offset);
          if (read <= 0) {
            break;
          }
          gained = true;
          offset += read;
          splitter.add(buffer.array(), 0, read, Instant.now(), this::deliver);
        }
        if (!gained) {
          splitter.finish(Instant.now(), this::deliver);
        }
        if (offset > rotateBytes && !ended) {
          try (FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writer.truncate(0);
          }
          offset = 0;
        }
      } catch (IOException e) {
        LOG.debug("cannot read the output of instance {}: {}", id, e.toString());
      }
    }

    /** Delivers the last line without newline, if any, and closes the file. */
    void finish() {
      splitter.finish(Instant.now(), this::deliver);
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("cannot close the output of instance {}: {}", id, e.toString());
      }
    }

    private void deliver(LogLine line) {
      lines
          .deliver(line)
          .ifPresent(
              e ->
                  LOG.warn(
                      "the log listener of instance {} threw; later failures are dropped", id, e));
    }
  }
}
