package ai.redstar.train;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What a training run did.
 *
 * @param finalLoss the loss of the last optimiser step (mean cross-entropy per learned token, nats); NaN when no step
 *     ran
 * @param steps optimiser steps done in total (a resumed run counts the steps before the resume)
 * @param tokens real (non-padding) tokens trained on in total
 * @param lossTokens learned tokens in total
 * @param elapsed training time in total, resumed runs included
 * @param lastCheckpoint the last checkpoint folder written or resumed from, empty without an output folder
 * @param truncatedRecords records cut to the maximum length
 * @param droppedRecords records left out: too long under {@link TruncationPolicy#DROP}, or without any learned token
 *     within the maximum length
 */
public record SftResult(double finalLoss, long steps, long tokens, long lossTokens, Duration elapsed,
        Optional<Path> lastCheckpoint, long truncatedRecords, long droppedRecords) {}
