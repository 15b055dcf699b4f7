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

  /** Zips the class file Maven compiled, under its package path. */
  public static byte[] zip() {
    String entry = Greeter.class.getName().replace('.', '/') + ".class";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (InputStream classFile = Greeter.class.getResourceAsStream("/" + entry);
        ZipOutputStream zip = new ZipOutputStream(bytes)) {
      if (classFile == null) {
        throw new IllegalStateException("class file '" + entry + "' is not on the test class path");
      }
      zip.putNextEntry(new ZipEntry(entry));
      classFile.transferTo(zip);
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
