package io.lambdarun.it;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package structure of every module's main code: no import cycles, a model at the bottom. */
class PackageCyclesTest {
  private static JavaClasses mainCode;

  @BeforeAll
  static void importMainCode() {
    mainCode =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.lambdarun");
  }

  @Test
  void everyModuleIsOnTheClassPath() {
    Set<String> topPackages =
        mainCode.stream()
            .map(type -> type.getPackageName().split("\\.")[2])
            .collect(Collectors.toSet());

    assertThat(topPackages)
        .containsExactlyInAnyOrder(
            "api",
            "core",
            "micrometer",
            "tck",
            "docker",
            "k8s",
            "local",
            "server",
            "cli",
            "junit5");
  }

  @Test
  void noTwoPackagesImportEachOther() {
    ArchRule rule = slices().matching("io.lambdarun.(**)").should().beFreeOfCycles();

    rule.check(mainCode);
  }

  @Test
  void theFunctionModelDependsOnNoOtherPackageOfCore() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAPackage("io.lambdarun.core.model")
            .should()
            .dependOnClassesThat(
                resideInAPackage("io.lambdarun.core..")
                    .and(not(resideInAPackage("io.lambdarun.core.model"))));

    rule.check(mainCode);
  }
}
