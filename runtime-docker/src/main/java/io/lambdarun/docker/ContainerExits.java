package io.lambdarun.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import io.lambdarun.api.Labels;
import io.lambdarun.api.Owner;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exit codes of this owner's containers, learnt from one subscription to the engine's {@code
 * die} and {@code destroy} events instead of one inspect per question. The subscription opens with
 * the first {@link #subscribe()} and again with the first one after it ended (an engine restart); a
 * container is answered for only while the subscription that watched its creation is open, so that
 * a death missed between two subscriptions falls back to the caller's inspect.
 */
final class ContainerExits implements Closeable {

  private static final Logger LOG = LoggerFactory.getLogger(ContainerExits.class);

  /** How far back a new subscription starts, so no event between asking and opening is lost. */
  private static final Duration REPLAY = Duration.ofSeconds(1);

  private final DockerClient docker;
  private final Owner owner;
  private final int killed;
  private final Map<String, Subscription> watchers = new ConcurrentHashMap<>();
  private final Map<String, Integer> exits = new ConcurrentHashMap<>();
  private Subscription current; // guarded by this
  private boolean closed; // guarded by this

  /**
   * Creates the watcher; nothing is opened yet.
   *
   * @param docker the engine
   * @param owner the owner whose containers are watched (its owner label filters the events)
   * @param killed the exit code recorded for a container destroyed without a recorded death
   */
  ContainerExits(DockerClient docker, Owner owner, int killed) {
    this.docker = docker;
    this.owner = owner;
    this.killed = killed;
  }

  /**
   * Returns the open subscription, opening one if there is none; call it before creating the
   * container the subscription is to watch.
   */
  synchronized Subscription subscribe() {
    if (closed) {
      Subscription none = new Subscription();
      none.close();
      return none;
    }
    if (current == null || current.ended) {
      current = new Subscription();
      current.open();
    }
    return current;
  }

  /** Lets {@code subscription} answer for container {@code id}, created after it was opened. */
  void watch(String id, Subscription subscription) {
    watchers.put(id, subscription);
  }

  /** Returns the exit code recorded for container {@code id}, if its death was seen. */
  OptionalInt recorded(String id) {
    Integer exit = exits.get(id);
    return exit == null ? OptionalInt.empty() : OptionalInt.of(exit);
  }

  /**
   * Tells whether the events answer for container {@code id}: the subscription that watched its
   * creation is still open, so no recorded death means it has not died.
   */
  boolean answersFor(String id) {
    Subscription watcher = watchers.get(id);
    return watcher != null && watcher.open;
  }

  /** Forgets a container; call it before removing it, so its last events are not recorded. */
  void forget(String id) {
    watchers.remove(id);
    exits.remove(id);
  }

  /** Ends the subscription and forgets every container; its stream thread ends with it. */
  @Override
  public void close() {
    Subscription last;
    synchronized (this) {
      closed = true;
      last = current;
      current = null;
    }
    if (last != null) {
      last.close();
    }
    watchers.clear();
    exits.clear();
  }

  private void record(Event event) {
    String id = event.getId();
    if (id == null || !watchers.containsKey(id)) {
      return;
    }
    if ("die".equals(event.getAction())) {
      String code =
          event.getActor() == null || event.getActor().getAttributes() == null
              ? null
              : event.getActor().getAttributes().get("exitCode");
      try {
        exits.put(id, code == null ? killed : Integer.parseInt(code));
      } catch (NumberFormatException e) {
        exits.put(id, killed);
      }
    } else if ("destroy".equals(event.getAction())) {
      exits.putIfAbsent(id, killed);
    }
  }

  /** One events stream; {@code open} from its first byte until it ends or fails. */
  final class Subscription implements ResultCallback<Event> {
    private volatile boolean open;
    private volatile boolean ended;
    private volatile Closeable stream;

    private void open() {
      Instant since = Instant.now().minus(REPLAY);
      String sinceSeconds =
          since.getEpochSecond() + "." + String.format(Locale.ROOT, "%09d", since.getNano());
      try {
        docker
            .eventsCmd()
            .withSince(sinceSeconds)
            .withEventTypeFilter(EventType.CONTAINER)
            .withEventFilter("die", "destroy")
            .withLabelFilter(Map.of(Labels.OWNER, owner.id()))
            .exec(this);
      } catch (RuntimeException e) {
        LOG.debug("could not subscribe to the engine's container events: {}", e.getMessage());
        ended = true;
      }
    }

    @Override
    public void onStart(Closeable stream) {
      this.stream = stream;
      if (ended) {
        closeStream();
        return;
      }
      open = true;
      LOG.debug("exit codes come from the engine's container events");
    }

    @Override
    public void onNext(Event event) {
      record(event);
    }

    @Override
    public void onError(Throwable error) {
      if (!ended) {
        LOG.info(
            "the engine's container events stream failed ({}); exit codes are inspected"
                + " until the next launch subscribes again",
            error.getMessage());
      }
      close();
    }

    @Override
    public void onComplete() {
      if (!ended) {
        LOG.info(
            "the engine's container events stream ended; exit codes are inspected until the"
                + " next launch subscribes again");
      }
      close();
    }

    @Override
    public void close() {
      open = false;
      ended = true;
      closeStream();
    }

    private void closeStream() {
      Closeable started = stream;
      if (started == null) {
        return;
      }
      try {
        started.close();
      } catch (IOException e) {
        LOG.debug("closing the container events stream failed: {}", e.getMessage());
      }
    }
  }
}
