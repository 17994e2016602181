package dev.cms.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The structure the code must keep (issue 13): gateway components ({@code dev.cms.gateway.X}) form
 * no cycles; inside a component, {@code boundary → control → entity} only; the runtime SPI knows
 * nothing of Docker; {@code domain} stays plain Java, free of Jakarta EE. Two rules that bytecode
 * cannot see are read from the sources: no fully-qualified injection points, and a {@code
 * package-info.java} for every component.
 */
class ArchitectureTest {

  private static final Path MAIN = Path.of("src/main/java/dev/cms/gateway");

  private static JavaClasses gateway;
  private static JavaClasses domain;

  @BeforeAll
  static void importClasses() {
    ClassFileImporter importer =
        new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
    gateway = importer.importPackages("dev.cms.gateway");
    domain = importer.importPackages("dev.cms.domain");
  }

  @Test
  void componentsFormNoCycles() {
    slices().matching("dev.cms.gateway.(*)..").should().beFreeOfCycles().check(gateway);
  }

  @Test
  void controlsDoNotReachIntoBoundaries() {
    noClasses()
        .that()
        .resideInAPackage("..control..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("..boundary..")
        .because("a boundary calls a control, never the other way round")
        .check(gateway);
  }

  @Test
  void entitiesDependOnNoControlOrBoundary() {
    noClasses()
        .that()
        .resideInAPackage("..entity..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("..control..", "..boundary..")
        .because("an entity is the bottom layer of its component")
        .check(gateway);
  }

  @Test
  void theRuntimeSpiIsFreeOfDocker() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.cms.gateway.runtime.docker..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("com.github.dockerjava..")
        .because("only the Docker implementation of the runtime SPI knows Docker")
        .check(gateway);
  }

  @Test
  void domainIsFreeOfJakartaEeAndOfItsUsers() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("jakarta..", "javax..", "dev.cms.gateway..", "dev.cms.agent..")
        .because("domain is the plain-Java contract both sides share")
        .check(domain);
  }

  /** {@code @Inject dev.cms.x.Y y;} hides a dependency from imports (and from a reader). */
  @Test
  void noFullyQualifiedInjections() throws IOException {
    Pattern qualified =
        Pattern.compile("@Inject\\s+(?:@\\w+\\s+)*[a-z]\\w*(?:\\.[a-z]\\w*)+\\.[A-Z]");
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = qualified.matcher(Files.readString(f));
        while (m.find()) {
          found.add(MAIN.relativize(f) + ": " + m.group());
        }
      }
    }
    assertThat(found).as("fully-qualified injection points").isEmpty();
  }

  @Test
  void everyComponentSaysWhatItIs() throws IOException {
    List<String> missing = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(MAIN)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        if (!Files.exists(d.resolve("package-info.java"))) {
          missing.add(d.getFileName().toString());
        }
      }
    }
    assertThat(missing).as("components without a package-info.java").isEmpty();
  }
}
