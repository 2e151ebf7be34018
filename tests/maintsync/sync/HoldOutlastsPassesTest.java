package maintsync.sync;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The timed maintenance the passes extend against their interval: one that ends before the next pass is refused. */
class HoldOutlastsPassesTest {

    @ParameterizedTest(name = "{0} min every {1} ms")
    @CsvSource({
        "15, 300000", // as shipped: three passes per hold
        "15, 899999",
        "1, 200",
        "2147483647, 2147483647",
    })
    void aHoldLongerThanTheIntervalIsTaken(long holdMinutes, long intervalMillis) {
        assertThatCode(() -> Reconciler.holdOutlastsPasses(holdMinutes, intervalMillis)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} min every {1} ms")
    @CsvSource({
        "15, 900000", // ends as the next pass starts
        "15, 3600000",
        "1, 60000",
    })
    void aHoldThatEndsBeforeTheNextPassIsRefused(long holdMinutes, long intervalMillis) {
        assertThatThrownBy(() -> Reconciler.holdOutlastsPasses(holdMinutes, intervalMillis))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("reconcile.hold-minutes=" + holdMinutes + " is refused: the timed maintenance must outlast "
                        + "reconcile.interval-ms (" + intervalMillis + " ms)");
    }
}
