extension NoticeStore {
    /// What a batch sends, and so which table its rows live in: the year's update notices (`notices`, one per vendor
    /// and fiscal year), or one wave of reminders (`reminders`, one per vendor, fiscal year and wave). Both tables
    /// have the same columns and states, so the store's batch functions (due, claim, record, reopen, counts,
    /// notices, requeue) and the batch sender serve both; only the table, the wave's condition, the template and
    /// the Message-ID differ, and they are decided here.
    package enum Mailing: Equatable, Sendable {
        case notices
        case reminders(wave: ReminderWave)

        /// The table of its rows (a constant of this enum, never input).
        var table: String {
            switch self {
            case .notices: return "notices"
            case .reminders: return "reminders"
            }
        }

        /// What goes after `fiscal_year = ?` to select this mailing's rows (leading space included), and its values.
        var condition: (sql: String, values: [SQLValue]) {
            switch self {
            case .notices: return ("", [])
            case .reminders(let wave): return (" AND wave = ?", [.text(wave.rawValue)])
            }
        }

        /// The template its messages are written with.
        package var template: TemplateName {
            switch self {
            case .notices: return .updateNotice
            case .reminders: return .reminder
            }
        }

        /// What its messages are called in messages to the operator.
        package var noun: String {
            switch self {
            case .notices: return "notices"
            case .reminders: return "reminders"
            }
        }

        /// A new Message-ID for the vendor's message of the year: `notice.YEAR.CODE.RANDOM@domain` or
        /// `reminder.YEAR.CODE.RANDOM@domain` (128 random bits: unique without asking the database, and not
        /// guessable from the vendor's code). A bounce that quotes it leads back to the row. The wave is not in it:
        /// the local part fills a VERP return path's `{token}` (`ReturnPath.longestTag`, 44 characters), which a
        /// wave of up to 32 would push past the 64 an address's local part may have (RFC 5321 §4.5.3.1.1).
        func messageID(fiscalYear: Int, vendor: VendorCode, domain: String) -> String {
            switch self {
            case .notices: return "notice.\(fiscalYear).\(vendor).\(NoticeStore.randomToken())@\(domain)"
            case .reminders: return "reminder.\(fiscalYear).\(vendor).\(NoticeStore.randomToken())@\(domain)"
            }
        }
    }
}
