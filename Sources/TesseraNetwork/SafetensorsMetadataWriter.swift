import Foundation

extension SafetensorsFile {
    /// Rewrites the file at `url` with `value` stored under `key` in its `__metadata__` (other entries and every
    /// tensor's bytes unchanged). The new file is written beside the old one and renamed over it, so a failure
    /// leaves the original intact. The header is padded with spaces to a multiple of 8 bytes, as the format allows.
    public static func setMetadata(_ key: String, to value: String, in url: URL) throws {
        let file = try SafetensorsFile(contentsOf: url)
        let path = url.path
        let headerData = file.data.subdata(in: 8..<file.dataStart)
        guard var header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw WeightsError(.malformedHeader, "header is not a JSON object", file: path)
        }
        var metadata = header["__metadata__"] as? [String: Any] ?? [:]
        metadata[key] = value
        header["__metadata__"] = metadata
        var newHeader = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        newHeader.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - newHeader.count % 8) % 8))
        var output = Data(capacity: 8 + newHeader.count + file.data.count - file.dataStart)
        withUnsafeBytes(of: UInt64(newHeader.count).littleEndian) { output.append(contentsOf: $0) }
        output.append(newHeader)
        output.append(file.data[file.dataStart...])
        // A symbolic link (fixtures/models/default.safetensors) is followed: the file it points to is replaced.
        let target = url.resolvingSymlinksInPath()
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).partial")
        do {
            try output.write(to: temporary)
            let attributes = try? FileManager.default.attributesOfItem(atPath: target.path)
            if let permissions = attributes?[.posixPermissions] {
                try? FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: temporary.path)
            }
            guard rename(temporary.path, target.path) == 0 else {
                throw WeightsError(.unreadable, "cannot replace the file: \(String(cString: strerror(errno)))", file: path)
            }
        } catch let error as WeightsError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WeightsError(.unreadable, "cannot write the new file (\(error.localizedDescription))", file: path)
        }
    }
}
