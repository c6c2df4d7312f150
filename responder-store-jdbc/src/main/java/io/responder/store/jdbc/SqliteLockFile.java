package io.responder.store.jdbc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ownership of a SQLite database: an exclusive OS lock ({@link FileChannel#tryLock()}) on a file
 * beside it, held for the store's lifetime. The operating system drops the lock when the process
 * dies, however it dies, so a crashed Responder never blocks its successor and no lease or clock is
 * needed. The file itself is left in place: deleting it on close would let a late opener lock an
 * unlinked file while a third one locks a new file of the same name.
 *
 * <p>On Linux these are POSIX record locks, which a process loses when it closes <em>any</em>
 * descriptor of the file. So this process opens the lock file only when no store of its own holds
 * it: a process-wide set of held lock files is checked first. Thread-safe.
 */
final class SqliteLockFile implements Dialect.OwnerLock {
  private static final Logger log = LoggerFactory.getLogger(SqliteLockFile.class);
  /** Lock files held by stores of this process, by real path. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();
  /** Enough for "pid 1234567890\n"; the holder's id is informational. */
  private static final int HOLDER_BYTES = 64;

  private final Path path;
  private final FileChannel channel;
  private final FileLock lock;

  private SqliteLockFile(Path path, FileChannel channel, FileLock lock) {
    this.path = path;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code lockFile}, creating it if needed.
   *
   * @throws StoreLockedException if a store of this or another process holds it
   * @throws JdbcStoreException if the file cannot be created or locked
   */
  static SqliteLockFile acquire(Path lockFile, String database) {
    Path real;
    try {
      try {
        // Creating a new file opens no descriptor on an existing one (see the class comment).
        Files.createFile(lockFile);
      } catch (FileAlreadyExistsException e) {
        // the usual case: the file stays between runs
      }
      real = lockFile.toRealPath();
    } catch (IOException e) {
      throw new JdbcStoreException(database + ": cannot create the lock file " + lockFile + ": " + e, e);
    }
    if (!HELD.add(real)) {
      throw new StoreLockedException(database + " is already used by another store of this process "
          + "(it holds " + real + "); only one Responder may use a database at a time");
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(real, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // cannot happen given HELD, but means the same: somebody here holds it
      }
      if (lock == null) {
        throw new StoreLockedException(database + " is already used by another store ("
            + holder(channel) + " holds the lock file " + real
            + "); only one Responder may use a database at a time. Opening succeeds once it is closed or its process has ended");
      }
      ByteBuffer id = StandardCharsets.US_ASCII.encode("pid " + ProcessHandle.current().pid() + "\n");
      channel.truncate(0);
      channel.write(id, 0);
      SqliteLockFile held = new SqliteLockFile(real, channel, lock);
      channel = null;
      return held;
    } catch (IOException e) {
      throw new JdbcStoreException(database + ": cannot lock " + real + ": " + e, e);
    } finally {
      if (channel != null) {
        closeQuietly(channel);
        HELD.remove(real);
      }
    }
  }

  /** What the holder wrote into the file, read through our own descriptor; best effort. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer b = ByteBuffer.allocate(HOLDER_BYTES);
      channel.read(b, 0);
      b.flip();
      String text = StandardCharsets.US_ASCII.decode(b).toString().trim();
      return text.startsWith("pid ") ? "process " + text.substring(4) : "another process";
    } catch (IOException e) {
      return "another process";
    }
  }

  @Override
  public void reacquire(Connection writer) {
    // The lock belongs to the file, not to the lost connection: still held.
  }

  @Override
  public void release(@Nullable Connection writer) {
    try {
      lock.release();
    } catch (IOException e) {
      log.atWarn().addKeyValue("lockFile", path).addKeyValue("reason", e.toString()).log("could not release the lock file");
    } finally {
      closeQuietly(channel);
      HELD.remove(path);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      log.atWarn().addKeyValue("reason", e.toString()).log("could not close the lock file");
    }
  }
}
