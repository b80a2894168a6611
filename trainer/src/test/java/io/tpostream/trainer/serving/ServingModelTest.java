package io.tpostream.trainer.serving;

import io.tpostream.schema.VersionStatus;
import io.tpostream.trainer.model.ModelInstance;
import io.tpostream.trainer.testing.SceneFixtures;
import io.tpostream.trainer.testing.TestVersions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hot-swap promise: a request finishes on the model it started on, and the old model is freed right after. */
class ServingModelTest {

    @Test
    void aSwapWaitsForTheRequestInFlightThenFreesTheOldModelsNativeMemory() throws Exception {
        ModelInstance first = SceneFixtures.microSceneModel(1);
        ModelInstance second = SceneFixtures.microSceneModel(2);
        try (ServingModel serving = new ServingModel()) {
            serving.swap(first, TestVersions.builder(1, VersionStatus.PASSED).build());
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> request = CompletableFuture.supplyAsync(() -> serving.serve((m, v) -> {
                inside.countDown();
                await(release);
                // still the model and version this request started with, and still usable
                return v.getVersion() + ":" + (m == first) + ":" + m.parameters().values().iterator().next()
                        .getShape();
            }).orElseThrow());
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            CompletableFuture<Void> swap = CompletableFuture.runAsync(() ->
                    serving.swap(second, TestVersions.builder(2, VersionStatus.PASSED).build()));
            assertFalse(swapDoneWithin(swap, 300), "the swap must wait for the request in flight");
            assertTrue(first.manager().isOpen(), "the old model must stay open while a request uses it");

            release.countDown();
            assertTrue(request.get(30, TimeUnit.SECONDS).startsWith("1:true:"), "finished on the model it began on");
            swap.get(30, TimeUnit.SECONDS);
            assertFalse(first.manager().isOpen(), "the old model's native memory is released after the swap");
            assertEquals(2, serving.version().orElseThrow().getVersion());
            assertSame(second, serving.serve((m, v) -> m).orElseThrow(), "new requests get the new model");
        }
        assertFalse(second.manager().isOpen(), "closing the serving model frees the model in service");
    }

    @Test
    void withoutAModelThereIsNothingToServe() {
        try (ServingModel serving = new ServingModel()) {
            assertTrue(serving.serve((m, v) -> "served").isEmpty());
            assertTrue(serving.version().isEmpty());
        }
    }

    private static boolean swapDoneWithin(CompletableFuture<Void> swap, long millis) throws Exception {
        try {
            swap.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException stillWaiting) {
            return false;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
