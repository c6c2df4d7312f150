package io.responder.bitcoind;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * A response body read as a stream, as it arrives, by the thread that made the call: the JSON parser
 * pulls from it while the HTTP client pushes into it, one buffer list at a time (the client is asked
 * for the next list only when the previous one is consumed).
 *
 * <p>Unlike the JDK's {@code BodySubscribers.ofInputStream()}, reading is bounded twice: by a
 * deadline (the request timeout covers only the headers, so a node that stalls in the middle of a
 * body would otherwise block the reader for ever) and by a byte cap. Both cancel the exchange.
 *
 * <p>The subscriber side is called by the HTTP client's threads; the stream side must be used by
 * one thread only.
 */
final class ResponseBody extends InputStream implements HttpResponse.BodySubscriber<ResponseBody> {
  /** One delivery from the HTTP client: buffers, a failure, or the end. */
  private record Arrival(List<ByteBuffer> buffers, Throwable failure) {
    static final Arrival END = new Arrival(List.of(), null);
  }

  private final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
  private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
  private final long deadlineNanos;
  private final long maxBytes;

  // Reader side only.
  private Iterator<ByteBuffer> pending = Collections.emptyIterator();
  private @Nullable ByteBuffer current;
  private long received;
  private boolean ended;
  private boolean closed;

  /**
   * @param deadlineNanos the {@link System#nanoTime()} by which the whole body must have arrived
   * @param maxBytes the cap
   */
  ResponseBody(long deadlineNanos, long maxBytes) {
    this.deadlineNanos = deadlineNanos;
    this.maxBytes = maxBytes;
  }

  // -----------------------------------------------------------------------------------------------
  // BodySubscriber, called by the HTTP client

  @Override
  public CompletionStage<ResponseBody> getBody() {
    return CompletableFuture.completedFuture(this);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    if (!subscription.compareAndSet(null, s)) {
      s.cancel();
      return;
    }
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    arrivals.add(new Arrival(item, null));
  }

  @Override
  public void onError(Throwable throwable) {
    arrivals.add(new Arrival(List.of(), Objects.requireNonNull(throwable)));
  }

  @Override
  public void onComplete() {
    arrivals.add(Arrival.END);
  }

  // -----------------------------------------------------------------------------------------------
  // InputStream, used by the caller's thread

  @Override
  public int read() throws IOException {
    if (!fill()) {
      return -1;
    }
    return current.get() & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (!fill()) {
      return -1;
    }
    int n = Math.min(len, current.remaining());
    current.get(b, off, n);
    return n;
  }

  /** Makes {@code current} non-empty; returns false at the end of the body. */
  private boolean fill() throws IOException {
    while (current == null || !current.hasRemaining()) {
      if (pending.hasNext()) {
        current = pending.next();
        continue;
      }
      if (closed) {
        throw new IOException("response body closed");
      }
      if (ended) {
        return false;
      }
      Arrival next = take();
      if (next.failure() != null) {
        ended = true;
        Throwable f = next.failure();
        throw f instanceof IOException io ? io : new IOException(f.getClass().getSimpleName(), f);
      }
      if (next == Arrival.END) {
        ended = true;
        return false;
      }
      for (ByteBuffer bb : next.buffers()) {
        received += bb.remaining();
      }
      if (received > maxBytes) {
        cancel();
        throw new ResponseTooLargeException(maxBytes);
      }
      pending = next.buffers().iterator();
      subscription.get().request(1);
    }
    return true;
  }

  private Arrival take() throws IOException {
    try {
      long left = deadlineNanos - System.nanoTime();
      Arrival next = left > 0 ? arrivals.poll(left, TimeUnit.NANOSECONDS) : arrivals.poll();
      if (next == null) {
        cancel();
        throw new HttpTimeoutException("timed out while reading the answer");
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      throw new InterruptedIOException("interrupted while reading the answer");
    }
  }

  /** Stops the exchange unless the body was read to its end; the connection is then not reused. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (!ended) {
        cancel();
      }
    }
  }

  private void cancel() {
    ended = true;
    Flow.Subscription s = subscription.get();
    if (s != null) {
      s.cancel();
    }
  }
}
