package io.lambdarun.it.javahandler;

import io.lambdarun.api.Archive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** {@link Greeter}'s compiled class as Lambda takes Java code: a zip with classes at its root. */
public final class GreeterArchive {

  /** The handler string of {@link Greeter}, as a function names it. */
  public static final String HANDLER = Greeter.class.getName() + "::handleRequest";

  private GreeterArchive() {}

  /** Zips the class file Maven compiled, under its package path (also a jar of the class). */
  public static byte[] zip() {
    String entry = Greeter.class.getName().replace('.', '/') + ".class";
    try (InputStream classFile = Greeter.class.getResourceAsStream("/" + entry)) {
      if (classFile == null) {
        throw new IllegalStateException("class file '" + entry + "' is not on the test class path");
      }
      return zipOf(entry, classFile.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A zip of one entry. */
  public static byte[] zipOf(String entry, byte[] content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(entry));
      zip.write(content);
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The zip as a function's code archive. */
  public static Archive archive() {
    return Archive.ofBytes("greeter", zip());
  }
}
