// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title ChainlinkReader
/// @notice Reads one Chainlink aggregator and refuses every answer that cannot be trusted: a failing
///         call, a round that never completed, a non-positive answer, an answer older than the feed's
///         own heartbeat or stamped in the future, and an answer outside the configured bounds.
library ChainlinkReader {
    /// @notice Per-feed settings; one storage slot.
    /// @param heartbeat maximum age of an answer in seconds, set per feed (feeds differ: 1 h to 24 h)
    /// @param decimals read from the feed when it is configured, never assumed
    /// @param minAnswer answers below this are refused (a feed stuck at its aggregator floor)
    /// @param maxAnswer answers above this are refused
    struct Feed {
        uint32 heartbeat;
        uint8 decimals;
        bool configured;
        uint104 minAnswer;
        uint104 maxAnswer;
    }

    error ChainlinkCallFailed(address feed);
    error ChainlinkIncompleteRound(address feed, uint80 roundId, uint80 answeredInRound, uint256 updatedAt);
    error ChainlinkNonPositiveAnswer(address feed, int256 answer);
    error ChainlinkStaleAnswer(address feed, uint256 updatedAt, uint256 heartbeat);
    error ChainlinkFutureAnswer(address feed, uint256 updatedAt);
    error ChainlinkAnswerOutOfBounds(address feed, uint256 answer, uint256 minAnswer, uint256 maxAnswer);

    /// @notice The latest answer of `feed`, checked against `config`; reverts with a named error otherwise.
    function read(address feed, Feed memory config) internal view returns (uint256 answer) {
        uint80 roundId;
        int256 signedAnswer;
        uint256 updatedAt;
        uint80 answeredInRound;
        try AggregatorV3Interface(feed).latestRoundData() returns (
            uint80 roundId_, int256 answer_, uint256, uint256 updatedAt_, uint80 answeredInRound_
        ) {
            (roundId, signedAnswer, updatedAt, answeredInRound) = (roundId_, answer_, updatedAt_, answeredInRound_);
        } catch {
            revert ChainlinkCallFailed(feed);
        }
        if (updatedAt == 0 || answeredInRound < roundId) {
            revert ChainlinkIncompleteRound(feed, roundId, answeredInRound, updatedAt);
        }
        if (signedAnswer <= 0) revert ChainlinkNonPositiveAnswer(feed, signedAnswer);
        if (updatedAt > block.timestamp) revert ChainlinkFutureAnswer(feed, updatedAt);
        if (block.timestamp - updatedAt > config.heartbeat) {
            revert ChainlinkStaleAnswer(feed, updatedAt, config.heartbeat);
        }
        answer = uint256(signedAnswer);
        if (answer < config.minAnswer || answer > config.maxAnswer) {
            revert ChainlinkAnswerOutOfBounds(feed, answer, config.minAnswer, config.maxAnswer);
        }
    }
}
