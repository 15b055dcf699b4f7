package io.lambdarun.core.runtimeapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server driven by one selector thread for any number of listening ports, so that
 * the thread count does not grow with the number of instances. Handlers and submitted tasks run on
 * that loop thread, which holds the port's handler's monitor while it accepts, reads or writes one
 * of the port's connections: a handler that synchronizes on itself may also answer on its
 * connections from another thread (a write that does not complete there is finished by the loop),
 * or take a connection over: {@link HttpConnection#lendTo} hands it to another thread's selector,
 * which reads and writes it until it is paused or handed back, and the loop stops watching it.
 *
 * <p>One file on purpose: the accept, read and write paths share the selector and its connection
 * state, and NIO's rules for them are easier to check in one place.
 */
final class SelectorHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SelectorHttpServer.class);

  /**
   * Handles requests of one listening port; called on the loop thread, holding this handler's
   * monitor.
   */
  @FunctionalInterface
  interface Handler {
    /**
     * Handles a request; the answer may be given now or later through {@link
     * HttpConnection#respond}.
     *
     * @param request the request
     * @param connection the connection to answer on
     */
    void handle(HttpRequest request, HttpConnection connection);

    /**
     * Tells whether the body of a chunked request is streamed: the request is then handled at its
     * head, and the handler passes the body on with {@link HttpConnection#streamBodyTo}.
     *
     * @param head the request's head, without a body
     * @return true to stream the body; false (the default) to receive it whole
     */
    default boolean streams(HttpRequest head) {
      return false;
    }
  }

  private final Selector selector;
  private final Thread thread;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
  private volatile boolean closed;

  private SelectorHttpServer(String threadName) {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
    thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
  }

  /**
   * Starts a server with its loop thread.
   *
   * @param threadName the loop thread's name
   * @return the running server
   */
  static SelectorHttpServer start(String threadName) {
    SelectorHttpServer server = new SelectorHttpServer(threadName);
    server.thread.start();
    return server;
  }

  /**
   * Opens a new listening port on {@code address} whose requests go to {@code handler}. Callable
   * from any thread; the port accepts connections when this returns.
   *
   * @param address the local address to bind, never a wildcard unless the caller means it
   * @param handler the handler of the port's requests
   * @return the listener
   * @throws IOException if no port can be bound
   */
  Listener listen(InetAddress address, Handler handler) throws IOException {
    ServerSocketChannel channel = ServerSocketChannel.open();
    try {
      channel.bind(new InetSocketAddress(address, 0), 128);
      channel.configureBlocking(false);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    Listener listener = new Listener(channel, handler);
    boolean accepted =
        execute(
            () -> {
              try {
                channel.register(selector, SelectionKey.OP_ACCEPT, listener);
              } catch (IOException e) {
                LOG.warn("cannot register listener on port {}", listener.port(), e);
                listener.close();
              }
            });
    if (!accepted) {
      channel.close();
      throw new IOException("the Runtime API's HTTP loop is closed");
    }
    return listener;
  }

  /**
   * Runs a task on the loop thread.
   *
   * @param task the task
   * @return false when the server is closed and the task will not run
   */
  boolean execute(Runnable task) {
    if (closed) {
      return false;
    }
    tasks.add(task);
    selector.wakeup();
    return true;
  }

  /**
   * Tells whether the caller runs on the loop thread.
   *
   * @return true on the loop thread
   */
  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /** Stops the loop and closes every port and connection. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    if (!inLoop()) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void loop() {
    try {
      while (!closed) {
        runTasks();
        if (closed) {
          break;
        }
        if (tasks.isEmpty()) {
          selector.select();
        } else {
          selector.selectNow();
        }
        for (SelectionKey key : selector.selectedKeys()) {
          dispatch(key);
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("the Runtime API's HTTP loop stopped", e);
    } finally {
      // tasks posted before close still run, so that a port closed with an event in flight
      // answers its caller
      runTasks();
      closeEverything();
    }
  }

  private void dispatch(SelectionKey key) {
    Object attachment = key.attachment();
    Handler handler =
        attachment instanceof Listener listener
            ? listener.handler
            : ((HttpConnection) attachment).handler();
    synchronized (handler) {
      try {
        if (!key.isValid()) {
          return;
        }
        if (key.isAcceptable()) {
          accept((Listener) attachment);
          return;
        }
        ((HttpConnection) attachment).onReady(key, scratch);
      } catch (RuntimeException e) {
        LOG.warn("an HTTP event failed", e);
      }
    }
  }

  private void accept(Listener listener) {
    SocketChannel channel;
    try {
      channel = listener.channel.accept();
      if (channel == null) {
        return;
      }
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
      InetAddress peer = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
      HttpConnection connection = new HttpConnection(channel, key, listener, peer);
      key.attach(connection);
      listener.connections.add(connection);
    } catch (IOException e) {
      LOG.debug("accepting a connection on port {} failed", listener.port(), e);
    }
  }

  private void runTasks() {
    Runnable task;
    while ((task = tasks.poll()) != null) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("a task of the Runtime API's HTTP loop failed", e);
      }
    }
  }

  private void closeEverything() {
    List<SelectionKey> keys = new ArrayList<>(selector.keys());
    for (SelectionKey key : keys) {
      Object attachment = key.attachment();
      if (attachment instanceof HttpConnection connection) {
        synchronized (connection.handler()) {
          connection.close();
        }
      } else if (attachment instanceof Listener listener) {
        synchronized (listener.handler) {
          listener.close();
        }
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("closing the selector failed", e);
    }
  }

  /** One listening port and the connections accepted on it. */
  final class Listener {
    private final ServerSocketChannel channel;
    private final Handler handler;
    private final int port;
    private final Set<HttpConnection> connections = new LinkedHashSet<>(4);

    private Listener(ServerSocketChannel channel, Handler handler) throws IOException {
      this.channel = channel;
      this.handler = handler;
      this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /**
     * Returns the bound port.
     *
     * @return the port
     */
    int port() {
      return port;
    }

    Handler handler() {
      return handler;
    }

    void forget(HttpConnection connection) {
      connections.remove(connection);
    }

    /**
     * Makes the loop apply a change of a key's interest or a cancelled key now, when the change was
     * made on another thread; the loop's own changes apply before it next waits.
     */
    void keysChanged() {
      if (!inLoop()) {
        selector.wakeup();
      }
    }

    /** Stops listening and closes every connection of this port. Must run on the loop thread. */
    void close() {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("closing port {} failed", port, e);
      }
      for (HttpConnection connection : new ArrayList<>(connections)) {
        connection.close();
      }
    }
  }
}
