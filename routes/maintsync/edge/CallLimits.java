package maintsync.edge;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.core5.concurrent.Cancellable;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.HttpEntityWrapper;

/**
 * The bounds of each HTTP call to one service (a vCenter, or vROps), so that no server can fill the heap or hold a
 * thread, however it answers: the answer is read through a stream that fails once it passes {@code maxBytes}, and the
 * request is aborted at the call's deadline, which also ends a read blocked on a server that sends a byte now and then
 * (a per-read timeout never fires for it). Either failure is an {@link Exceeded}, an IOException, as the service being
 * unavailable is: the event is answered 503 and the Broker retries it later.
 */
public final class CallLimits {

    /** A call ran past its deadline, or its answer past its size; the message names the service, the call and the setting. */
    public static class Exceeded extends IOException {
        Exceeded(String message) {
            super(message);
        }
    }

    /** The answer was larger than the service's {@code *.max-answer-bytes}. */
    static final class TooLarge extends Exceeded {
        TooLarge(String message) {
            super(message);
        }
    }

    /** The call did not end by its deadline. */
    public static final class TooLate extends Exceeded {
        public TooLate(String message) {
            super(message);
        }
    }

    private final String service;
    private final long maxBytes;
    private final String sizeSetting;
    private final ScheduledExecutorService timer;

    /**
     * {@code service} names it in failures, e.g. {@code vCenter vcsa01}; {@code sizeSetting} is the setting of
     * {@code maxBytes}; {@code timer} aborts the calls that reach their deadline.
     */
    public CallLimits(String service, long maxBytes, String sizeSetting, ScheduledExecutorService timer) {
        this.service = service;
        this.maxBytes = maxBytes;
        this.sizeSetting = sizeSetting;
        this.timer = timer;
    }

    /**
     * Starts a call of {@code request}, aborted at {@code deadline} (of {@link System#nanoTime}) unless it ended before:
     * {@code call} names it in failures (e.g. RetrievePropertiesEx), {@code within} says where its deadline came from
     * (e.g. {@code within vcenter.timeout-ms (10000 ms)}).
     */
    public Call start(Cancellable request, String call, long deadline, String within) {
        return new Call(request, call, deadline, within);
    }

    /**
     * For Apache HttpClient ({@code HttpClientBuilder.addExecInterceptorFirst}): each call it makes is bounded, its
     * deadline {@code millis} after it starts, from the wait for a connection to the last byte of the answer.
     */
    public ExecChainHandler eachCall(long millis, String within) {
        return (request, scope, chain) -> {
            // every request Camel's HTTP producer sends is an HttpUriRequestBase, which can be cancelled
            Call call = start((Cancellable) scope.originalRequest, request.getMethod() + " " + request.getRequestUri().replaceFirst("\\?.*", ""),
                    System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), within);
            boolean answering = false;
            try {
                ClassicHttpResponse response = chain.proceed(request, scope);
                if (response.getEntity() != null) {
                    response.setEntity(call.bounded(response.getEntity()));
                    answering = true; // the end or the close of the answer ends the call
                }
                return response;
            } catch (IOException failed) {
                throw call.failure(failed);
            } finally {
                if (!answering) {
                    call.close();
                }
            }
        };
    }

    /** One call: its abort at the deadline, and its answer's size. Closing it ends the wait for the deadline. */
    public final class Call implements AutoCloseable {
        private final Cancellable request;
        private final String call;
        private final String within;
        private final ScheduledFuture<?> abort;
        private volatile boolean late;

        private Call(Cancellable request, String call, long deadline, String within) {
            this.request = request;
            this.call = call;
            this.within = within;
            this.abort = timer.schedule(() -> {
                late = true;
                request.cancel();
            }, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        /** The answer, failing with {@link TooLarge} past the size and {@link TooLate} once aborted at the deadline. */
        public InputStream answer(InputStream content) {
            return new Bounded(content);
        }

        /** What a failure of the call is: {@link TooLate} when the deadline aborted it, whatever the client made of that. */
        public IOException failure(IOException failed) {
            return late && !(failed instanceof Exceeded) ? tooLate() : failed;
        }

        @Override
        public void close() {
            abort.cancel(false);
        }

        private TooLate tooLate() {
            return new TooLate(service + " did not answer " + call + " " + within);
        }

        /** An entity whose content is the bounded answer; its end or its close ends the call. */
        private HttpEntity bounded(HttpEntity entity) {
            return new HttpEntityWrapper(entity) {
                private Bounded content;

                @Override
                public InputStream getContent() throws IOException {
                    if (content == null) {
                        content = new Bounded(super.getContent());
                    }
                    return content;
                }

                @Override
                public void writeTo(OutputStream out) throws IOException {
                    getContent().transferTo(out);
                }

                @Override
                public void close() throws IOException {
                    try {
                        getContent().close();
                        super.close();
                    } catch (IOException failed) {
                        if (!content.cancelled) {
                            throw failed;
                        }
                    } finally {
                        Call.this.close();
                    }
                }
            };
        }

        /** Counts what is read; an answer closed before its end is not drained, which could take forever: its connection is closed. */
        private final class Bounded extends FilterInputStream {
            private long read;
            private boolean ended;
            private boolean cancelled;

            private Bounded(InputStream content) {
                super(content);
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n;
                try {
                    n = super.read(buffer, offset, length);
                } catch (IOException failed) {
                    throw failure(failed);
                }
                if (n == -1) {
                    ended = true;
                    Call.this.close();
                    return n;
                }
                read += n;
                if (read > maxBytes) {
                    cancel();
                    throw new TooLarge(service + "'s answer to " + call + " is larger than " + sizeSetting + " (" + maxBytes + " bytes)");
                }
                return n;
            }

            @Override
            public void close() throws IOException {
                if (!ended) {
                    cancel();
                }
                try {
                    super.close();
                } catch (IOException failed) {
                    if (!cancelled) {
                        throw failed;
                    }
                } finally {
                    Call.this.close();
                }
            }

            private void cancel() {
                cancelled = true;
                request.cancel();
            }
        }
    }
}
