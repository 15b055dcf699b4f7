package io.lambdarun.core.image;

import static io.lambdarun.core.TestFunctions.python;
import static io.lambdarun.core.TestFunctions.zip;
import static org.assertj.core.api.Assertions.assertThat;

import io.lambdarun.core.model.LambdaFunction;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeployIdTest {

  @Test
  void isUrlSafeOverManyInputs() {
    Set<String> ids = new HashSet<>();
    LambdaFunction base = python("f").build();
    for (int i = 0; i < 2500; i++) {
      String id =
          DeployId.of(base.toBuilder().putEnvironment("NUM", Integer.toString(i)).build(), false);
      assertThat(id).matches("[A-Za-z0-9_-]{43}");
      ids.add(id);
    }
    assertThat(ids).hasSize(2500);
  }

  @Test
  void isStable() {
    assertThat(DeployId.of(python("f").build(), false))
        .isEqualTo(DeployId.of(python("f").build(), false));
  }

  @Test
  void changesWithCodeLayersAndConfiguration() {
    LambdaFunction base = python("f").build();
    String id = DeployId.of(base, false);

    assertThat(DeployId.of(base.toBuilder().code(zip("app.py", "changed")).build(), false))
        .isNotEqualTo(id);
    assertThat(DeployId.of(base.toBuilder().layers(List.of(zip("l", "1"))).build(), false))
        .isNotEqualTo(id);
    assertThat(DeployId.of(base.toBuilder().memoryMib(256).build(), false)).isNotEqualTo(id);
    assertThat(DeployId.of(base.toBuilder().putEnvironment("K1", "v").build(), false))
        .isNotEqualTo(id);
    assertThat(DeployId.of(base.toBuilder().role("arn:aws:iam::1:role/r").build(), false))
        .isNotEqualTo(id);
  }

  @Test
  void layerOrderMatters() {
    LambdaFunction base = python("f").build();
    LambdaFunction ab = base.toBuilder().layers(List.of(zip("a", "1"), zip("b", "2"))).build();
    LambdaFunction ba = base.toBuilder().layers(List.of(zip("b", "2"), zip("a", "1"))).build();

    assertThat(DeployId.of(ab, false)).isNotEqualTo(DeployId.of(ba, false));
  }

  @Test
  void tagsChangeTheDeployOnlyWhenTheBackendUsesThem() {
    LambdaFunction base = python("f").build();
    LambdaFunction tagged = base.toBuilder().tags(Map.of("team", "a")).build();

    assertThat(DeployId.of(tagged, false)).isEqualTo(DeployId.of(base, false));
    assertThat(DeployId.of(tagged, true)).isNotEqualTo(DeployId.of(base, true));
  }

  @Test
  void launchConfigHasTheFixedFieldOrder() {
    LambdaFunction fn = python("f").putEnvironment("KEY", "v").build();

    assertThat(DeployId.launchConfig(fn, false))
        .isEqualTo(
            "[\"\",\"python3.12\",\"app.handler\",3,128,{\"KEY\":\"v\"},\"ZIP\",null,{\"EntryPoint\":[],"
                + "\"Command\":[],\"WorkingDirectory\":null},512,null,\"Text\",null,\"x86_64\",null]");
  }
}
