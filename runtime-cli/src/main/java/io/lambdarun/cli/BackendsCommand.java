package io.lambdarun.cli;

import io.lambdarun.api.RuntimeConfig;
import io.lambdarun.core.discovery.BackendReport;
import io.lambdarun.core.discovery.BackendSelector;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code lambdarun backends}: lists every discovered backend with its priority and availability.
 */
@Command(
    name = "backends",
    mixinStandardHelpOptions = true,
    description =
        "Lists the backends on the class path, their priority and whether they can run now, and why.")
final class BackendsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<BackendReport> report =
        BackendSelector.discover(List.of()).report(RuntimeConfig.fromSystem());
    report.forEach(entry -> out.println(entry.line()));
    out.flush();
    return ExitCodes.SUCCESS;
  }
}
