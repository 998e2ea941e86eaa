import Dispatch
import Foundation
import Synchronization

/// Turns SIGINT and SIGTERM into a graceful stop: the first signal asks the run to stop taking new tiles and to let
/// what is in flight finish and commit; a second one exits at once (what was committed stays committed).
final class StopSignals: Sendable {
    /// Dispatch sources are thread-safe objects (resume/cancel may be called from any thread); Swift's overlay
    /// just does not mark them Sendable.
    private struct Sources: @unchecked Sendable { var list: [any DispatchSourceSignal] = [] }
    private let sources = Mutex(Sources())
    private let received = Mutex<Int32?>(nil)

    init() {}

    /// Installs the handlers; `onStop` runs once, on a dispatch queue, at the first signal.
    func install(onStop: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "tessera.signals")
        var installed: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
            source.setEventHandler { [self] in
                let first = received.withLock { state -> Bool in
                    if state != nil { return false }
                    state = signalNumber
                    return true
                }
                if first { onStop(signalNumber) } else { exit(128 + signalNumber) }
            }
            source.resume()
            installed.append(source)
        }
        let box = Sources(list: installed)
        sources.withLock { $0 = box }
    }

    /// Restores the default handlers.
    func uninstall() {
        let installed = sources.withLock { state -> Sources in
            defer { state = Sources() }
            return state
        }
        for source in installed.list { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
