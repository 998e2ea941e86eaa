import Foundation

/// A problem with a weights file: what is wrong, in which file, with which tensor.
public struct WeightsError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case unreadable, truncated, malformedHeader, unsupportedDType, tensorOutOfBounds
        case missingTensor, shapeMismatch, unsupportedArchitecture, badMetadata
    }
    public var kind: Kind
    public var message: String
    public var file: String
    public var tensor: String?

    public init(_ kind: Kind, _ message: String, file: String, tensor: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.tensor = tensor
    }

    public var description: String {
        var text = "weights file \(file): \(message)"
        if let tensor { text += " (tensor \(tensor))" }
        return text
    }
}

/// A problem building or running the network: bad input sizes, or oneDNN refusing a primitive.
public struct NetworkError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case invalidInput, invalidConfiguration, oneDNN
    }
    public var kind: Kind
    public var message: String
    /// The oneDNN status code (dnnl_status_t) when `kind == .oneDNN`.
    public var code: Int32?
    /// Which layer or call failed.
    public var context: String?

    public init(_ kind: Kind, _ message: String, code: Int32? = nil, context: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
        self.context = context
    }

    public var description: String {
        var text = message
        if let context { text = "\(context): \(text)" }
        if let code { text += " (oneDNN status \(code))" }
        return text
    }
}
