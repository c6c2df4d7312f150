package io.responder.store.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A data source that runs one statement on every connection it lends before handing it out, as a
 * host's pool does with an init SQL: how tests give the store's sessions a short
 * {@code lock_timeout}. Thread-safe if the wrapped data source is.
 */
final class SessionSetting {
  private SessionSetting() {}

  static DataSource of(DataSource delegate, String sql) {
    return (DataSource) Proxy.newProxyInstance(SessionSetting.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, m, args) -> {
          Object result;
          try {
            result = m.invoke(delegate, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (result instanceof Connection c) {
            try (Statement s = c.createStatement()) {
              s.execute(sql);
            }
          }
          return result;
        });
  }
}
