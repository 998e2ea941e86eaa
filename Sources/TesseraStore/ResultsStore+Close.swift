import GRDB

extension ResultsStore {
    /// Folds the write-ahead log into the main file and closes the connection, so that results.sqlite alone holds
    /// every result (a lab copies or mails that one file). The store cannot be used afterwards.
    public func close() throws {
        try StoreError.mapping(path: path, "closing the results file") {
            try queue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            try queue.close()
        }
    }
}
