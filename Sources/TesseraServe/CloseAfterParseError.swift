import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Closes a connection once the server has answered a request head it could not parse: a URL or header over
/// `SlideViewer.headerLimits`, or a malformed head.
///
/// Hummingbird answers such a request 400 and then waits for the client to close, but it has stopped reading: a
/// client still sending the rest of an 8 MB URL blocks in `send`, never reads the answer, and the connection stays
/// open for as long as the client waits. Closing right after the answer frees both sides at once.
final class CloseAfterParseError: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var refused = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { refused = true }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard refused, case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.cascade(to: promise)
        context.writeAndFlush(data, promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
