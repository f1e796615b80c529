import Foundation
import TelevisitCore
import UIKit

extension LaunchPlanExecutor {
    /// Opens each attempt's URL with `UIApplication.open`, which answers false when iOS cannot
    /// open it (the app missing, the scheme not in `LSApplicationQueriesSchemes`).
    public convenience init(televisit: Televisit) {
        self.init(televisit: televisit, opener: { url in
            await UIApplication.shared.open(url, options: [:])
        })
    }
}
