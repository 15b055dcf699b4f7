package io.lambdarun.server;

/** Told after every change of a function or a layer, to persist it; does nothing in memory. */
interface StateChanges {

  /** Keeps nothing: state lives in memory only. */
  StateChanges IN_MEMORY =
      new StateChanges() {
        @Override
        public void functionChanged(String name) {}

        @Override
        public void layerChanged(String name) {}
      };

  /** The function (any version, or its concurrency) changed or was deleted. */
  void functionChanged(String name);

  /** A version of the layer was published or deleted. */
  void layerChanged(String name);
}
