package maintsync.edge;

import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Processor;

/**
 * The answer to the Broker: a status and, for a failure, a one-line reason. The Knative consumer copies every
 * message header into its HTTP answer, so all of them go first; a 2xx answer has no body, since a Broker takes any
 * body it gets as a reply event.
 */
public final class BrokerAnswer implements Processor {

    private final int status;
    private final Expression reason;

    private BrokerAnswer(int status, Expression reason) {
        this.status = status;
        this.reason = reason;
    }

    public static BrokerAnswer empty(int status) {
        return new BrokerAnswer(status, null);
    }

    public static BrokerAnswer because(int status, Expression reason) {
        return new BrokerAnswer(status, reason);
    }

    @Override
    public void process(Exchange exchange) {
        String text = reason == null ? null : reason.evaluate(exchange, String.class);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (text != null) {
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getMessage().setBody(text.replaceAll("\\s+", " ").strip());
        } else {
            exchange.getMessage().setBody(null);
        }
    }
}
