package maintsync.jbang;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The files a run wrote: every regular file under the home directory, the temporary directory and the working
 * directory changed since a moment, read as text to search them for secrets. Not searched: Git's objects and Maven's
 * local repository, which hold what was downloaded or committed, not what the run wrote.
 */
final class FilesLeftBehind {

    private static final Set<String> NOT_WRITTEN_BY_A_RUN = Set.of(".git", "repository");
    /** Larger files are not searched. */
    static final long LARGEST = 64L << 20;

    private FilesLeftBehind() {
    }

    /** The home, temporary and working directories. */
    static List<Path> usualPlaces() {
        return List.of(Path.of(System.getProperty("user.home")), Path.of(System.getProperty("java.io.tmpdir")),
                Path.of("").toAbsolutePath());
    }

    /** Every file under {@code roots} changed at or after {@code since}, each once. */
    static List<Path> changedSince(Instant since, List<Path> roots) {
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
                        return NOT_WRITTEN_BY_A_RUN.contains(String.valueOf(dir.getFileName())) ? FileVisitResult.SKIP_SUBTREE
                                : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                        if (attributes.isRegularFile() && !attributes.lastModifiedTime().toInstant().isBefore(since)
                                && !files.contains(file.toAbsolutePath().normalize())) {
                            files.add(file.toAbsolutePath().normalize());
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException unreadable) {
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** Those of {@code files} whose text holds something {@code secret} finds. */
    static List<String> holding(List<Path> files, Predicate<String> secret) {
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            try {
                if (Files.size(file) <= LARGEST && secret.test(new String(Files.readAllBytes(file), StandardCharsets.UTF_8))) {
                    found.add(file.toString());
                }
            } catch (IOException goneOrUnreadable) {
                // deleted since, or not ours to read: it holds nothing this run wrote
            }
        }
        return found;
    }
}
