package io.tpostream.ops.testing;

import io.tpostream.ops.broker.EmbeddedKafkaBroker;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One embedded broker for all integration test classes of a run that do not restart it: each broker start costs
 * seconds. Tests keep apart by topic prefix. Use {@code @ExtendWith(SharedBroker.class)} and take an
 * {@link EmbeddedKafkaBroker} parameter.
 */
public final class SharedBroker implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedBroker.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        // the root store closes it once, after the last test of the run
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", k -> new Running(EmbeddedKafkaBroker.builder().start()), Running.class)
                .broker();
    }

    private record Running(EmbeddedKafkaBroker broker) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            broker.close();
        }
    }
}
