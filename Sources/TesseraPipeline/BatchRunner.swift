import Foundation
import Logging

/// Runs a batch of slides through the stage graph. (Being built by the integrator; the signature is the contract.)
public struct BatchRunner: Sendable {
    public let configuration: RunConfiguration
    public let logger: Logger

    public init(configuration: RunConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws -> RunSummary {
        throw RunError.notImplemented
    }
}

public enum RunError: Error {
    case notImplemented
}
