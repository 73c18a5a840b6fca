// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RollingWindow
/// @notice Exact sum of amounts recorded in the trailing `window` seconds, in amortised O(1) storage: a ring
///         of at most CAPACITY (timestamp, amount) entries and a running sum. Entries older than the window
///         are dropped from the front as time passes; when CAPACITY live entries exist no more can be added.
library RollingWindow {
    /// @notice Most amounts that can be live in one window.
    uint256 internal constant CAPACITY = 32;

    struct Window {
        uint64 head;
        uint64 tail;
        uint128 sum;
        /// @dev timestamp << 192 | amount
        uint256[CAPACITY] entries;
    }

    error WindowFull(uint256 capacity);

    /// @notice The sum of amounts recorded after `block.timestamp - window`, and the index of the oldest of them.
    function live(Window storage w, uint256 window) internal view returns (uint256 sum, uint64 head) {
        uint256 cutoff = block.timestamp > window ? block.timestamp - window : 0;
        head = w.head;
        uint64 tail = w.tail;
        sum = w.sum;
        while (head < tail) {
            uint256 entry = w.entries[head % CAPACITY];
            if (entry >> 192 > cutoff) break;
            sum -= uint192(entry);
            ++head;
        }
    }

    /// @notice Records `amount` now on top of `live`'s result (`head`, `liveSum`); `liveSum + amount` must fit 128 bits.
    function record(Window storage w, uint64 head, uint256 liveSum, uint256 amount) internal {
        uint64 tail = w.tail;
        if (tail - head == CAPACITY) revert WindowFull(CAPACITY);
        w.entries[tail % CAPACITY] = (block.timestamp << 192) | amount;
        w.head = head;
        w.tail = tail + 1;
        w.sum = uint128(liveSum + amount);
    }
}
