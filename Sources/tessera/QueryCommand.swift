import ArgumentParser
import Foundation
import TesseraStore

extension QueryOutputFormat: ExpressibleByArgument {}

/// `tessera query DB "SQL"`: read-only SQL against a results file.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run read-only SQL (or a named query) against a results file.",
        discussion: """
            The file is opened read-only; a statement that would change it is refused. Named parameters (:name) take \
            their values from --param name=value (numbers bind as numbers, anything else as text).
            Examples:
              tessera query out/results.sqlite "SELECT slide_path, tissue_mm2 FROM slide_areas"
              tessera query out/results.sqlite --named slide-summary --param run=<run_uid> --format csv
              tessera query --list
            """)

    @Argument(help: "The results file (results.sqlite).")
    var database: String?

    @Argument(help: "One SQL statement. Leave out with --named.")
    var sql: String?

    @Option(help: "Output format: table, csv, json or ndjson.")
    var format: QueryOutputFormat = .table

    @Option(name: .customLong("param"), help: ArgumentHelp("A named parameter's value.", valueName: "name=value"))
    var parameters: [String] = []

    @Option(help: "Run the named query NAME (see --list) instead of SQL.")
    var named: String?

    @Flag(help: "List the named queries with their descriptions and parameters.")
    var list = false

    func validate() throws {
        if list { return }
        guard database != nil else { throw ValidationError("give the results file: tessera query DB \"SQL\"") }
        if named != nil, sql != nil { throw ValidationError("give either SQL or --named NAME, not both") }
        if named == nil, sql == nil { throw ValidationError("give an SQL statement, or --named NAME (see --list)") }
        for parameter in parameters where !parameter.contains("=") {
            throw ValidationError("--param takes name=value, got '\(parameter)'")
        }
    }

    func run() throws {
        if list {
            for query in NamedQuery.all {
                print("\(query.name)\n    \(query.description)")
                for parameter in query.parameters { print("    --param \(parameter.name)=...  \(parameter.description)") }
            }
            return
        }
        var values: [String: String] = [:]
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = String(parts[1])
        }
        var statement = sql ?? ""
        var optional: Set<String> = []
        if let named {
            guard let query = NamedQuery.named(named) else {
                throw ValidationError("no named query '\(named)'; known: "
                                      + NamedQuery.all.map(\.name).joined(separator: ", "))
            }
            statement = query.sql
            optional = Set(query.parameters.map(\.name))
        }
        do {
            let result = try ResultsQuery.run(databasePath: database!, sql: statement, parameters: values,
                                              optionalParameters: optional)
            FileHandle.standardOutput.write(Data(result.rendered(as: format).utf8))
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
