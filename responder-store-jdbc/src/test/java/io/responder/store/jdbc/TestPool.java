package io.responder.store.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A minimal connection pool for tests, as a host's pool would be: {@code close()} on a lent
 * connection hands it back for reuse (after a rollback), {@code abort()} discards it. It also counts
 * statement executions (each {@code execute*} call is one round trip to the server), which is how
 * the batching test sees round trips. Thread-safe.
 */
final class TestPool extends PlainDataSource implements AutoCloseable {
  private final DataSource physical;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private final AtomicInteger executions = new AtomicInteger();
  private final boolean pooling;

  TestPool(DataSource physical) {
    this(physical, true);
  }

  private TestPool(DataSource physical, boolean pooling) {
    this.physical = physical;
    this.pooling = pooling;
  }

  /** A data source that lends fresh connections each time (no reuse) and counts executions. */
  static TestPool counting(DataSource physical) {
    return new TestPool(physical, false);
  }

  /** Statement executions (execute, executeQuery, executeUpdate, executeBatch) so far. */
  int executions() {
    return executions.get();
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = null;
    synchronized (this) {
      while (pooling && !idle.isEmpty() && c == null) {
        Connection candidate = idle.pop();
        if (!candidate.isClosed()) {
          c = candidate;
        }
      }
    }
    if (c == null) {
      c = physical.getConnection();
    }
    return lend(c);
  }

  private Connection lend(Connection c) {
    InvocationHandler h = new InvocationHandler() {
      private boolean returned;

      @Override
      public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        switch (m.getName()) {
          case "close":
            if (!returned) {
              returned = true;
              giveBack(c);
            }
            return null;
          case "abort":
            returned = true;
            c.close();
            return null;
          case "isClosed":
            return returned || c.isClosed();
          default:
            break;
        }
        if (returned) {
          throw new SQLException("connection already handed back to the pool");
        }
        Object result = call(c, m, args);
        if (result instanceof Statement s) {
          return countingStatement(s, m.getReturnType());
        }
        return result;
      }
    };
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class}, h);
  }

  private Object countingStatement(Statement s, Class<?> type) {
    InvocationHandler h = (proxy, m, args) -> {
      if (m.getName().startsWith("execute")) {
        executions.incrementAndGet();
      }
      return call(s, m, args);
    };
    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, h);
  }

  private void giveBack(Connection c) throws SQLException {
    if (!pooling || c.isClosed()) {
      c.close();
      return;
    }
    if (!c.getAutoCommit()) {
      c.rollback();
      c.setAutoCommit(true);
    }
    synchronized (this) {
      idle.push(c);
    }
  }

  private static Object call(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public synchronized void close() throws SQLException {
    while (!idle.isEmpty()) {
      idle.pop().close();
    }
  }
}
