// The growth rule on synthetic count series, noisy ones from a seeded RNG.
import Testing

@testable import ThreadprofCore

/// SplitMix64: a tiny deterministic generator for reproducible noise.
struct SeededRNG: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Judges `counts` sampled every `interval` seconds with the default rule.
func verdict(_ counts: [Int], interval: Double = 1, rule: GrowthRule = GrowthRule())
  -> (GrowthVerdict, TrendTest?)
{
  var series = CompactSeries()
  for (i, c) in counts.enumerated() { series.append(c, at: Double(i) * interval) }
  let points = series.trendPoints
  let test = TrendTest.run(points)
  return (rule.judge(points, test: test, last: series.last, min: series.min), test)
}

@Suite struct TrendTests {
  @Test func mannKendallMatchesAHandComputedCase() throws {
    // 1 3 2 4 2: S = +1+1+1+1 (from 1) -1+1-1 (from 3) +1+0 (from 2) -1 (from 4) = 3.
    // Ties: the two 2s -> variance (5*4*15 - 2*1*9) / 18 = 282 / 18.
    let points = [1, 3, 2, 4, 2].enumerated().map {
      TrendPoint(seconds: Double($0.offset), value: Double($0.element))
    }
    let test = try #require(TrendTest.run(points))
    #expect(test.s == 3)
    #expect(abs(test.variance - 282.0 / 18.0) < 1e-9)
    #expect(abs(test.z - 2 / (282.0 / 18.0).squareRoot()) < 1e-9)
    #expect(abs(test.tau - 0.3) < 1e-9)
    // Pairwise slopes: 2, .5, 1, .25, -1, .5, -.33, 2, 0, -2 -> median 0.375.
    #expect(abs(test.slopePerSecond - 0.375) < 1e-9)
  }

  @Test func pValueOfASteadyClimbIsSmall() throws {
    let test = try #require(verdict(Array(1...10)).1)
    #expect(test.s == 45)
    #expect(test.pValue < 0.001)
    #expect(test.tau == 1)
  }

  @Test func fewerThanFourSamplesIsNotEnough() {
    #expect(verdict([1, 2, 3]).0 == .notEnoughSamples)
    #expect(verdict([]).0 == .notEnoughSamples)
  }

  @Test func steadyClimbOfOneThreadPerIntervalGrows() throws {
    let (v, test) = verdict(Array(3...12), interval: 5)
    #expect(v == .growing)
    // One thread per 5 s sample is 12 per minute.
    #expect(abs(try #require(test).slopePerSecond * 60 - 12) < 1e-9)
  }

  @Test func slowLeakOfOneThreadEveryFewSamplesGrows() {
    let counts = (0..<20).map { 4 + $0 / 4 }
    #expect(verdict(counts).0 == .growing)
  }

  @Test func flatSeriesDoesNotGrow() {
    #expect(verdict(Array(repeating: 8, count: 30)).0 == .noTrend)
  }

  @Test func burstThatShrankBackDoesNotGrow() {
    let back = [2, 2, 2, 2, 10, 10, 10, 10, 10, 10, 10, 2, 2, 2]
    #expect(!verdict(back).0.isGrowing)
    // Shrank only part of the way: still rose and ends below the top quarter.
    let partly = Array(repeating: 2, count: 10) + Array(repeating: 10, count: 10)
      + Array(repeating: 6, count: 5)
    #expect(verdict(partly).0 == .fellBack)
  }

  @Test func sawtoothThatIsTrimmedDoesNotGrow() {
    let saw = (0..<20).map { 1 + $0 % 5 }
    #expect(verdict(saw).0 == .noTrend)
    #expect(verdict(saw, rule: GrowthRule(alpha: Sensitivity.high.alpha)).0 == .noTrend)
  }

  @Test func tinyRiseIsBelowTheMinimumGrowth() {
    let counts = Array(repeating: 5, count: 10) + Array(repeating: 6, count: 10)
    #expect(verdict(counts).0 == .tooSmall)
    #expect(verdict(counts, rule: GrowthRule(minGrowth: 1)).0 == .growing)
  }

  @Test func noisyLeakGrowsForEverySeed() {
    for seed in UInt64(1)...20 {
      var rng = SeededRNG(seed: seed)
      let counts = (0..<40).map { i in max(0, 10 + i / 2 + Int.random(in: -2...2, using: &rng)) }
      #expect(verdict(counts).0 == .growing, "seed \(seed): \(counts)")
    }
  }

  @Test func noisyFlatNeverGrows() {
    for seed in UInt64(1)...20 {
      var rng = SeededRNG(seed: seed)
      let counts = (0..<40).map { _ in 10 + Int.random(in: -2...2, using: &rng) }
      #expect(!verdict(counts).0.isGrowing, "seed \(seed): \(counts)")
    }
  }

  @Test func aFallingSeriesDoesNotGrow() {
    #expect(verdict(Array((1...15).reversed())).0 == .noTrend)
  }

  @Test func sensitivityLevelsOrderAlpha() {
    #expect(Sensitivity.low.alpha < Sensitivity.normal.alpha)
    #expect(Sensitivity.normal.alpha < Sensitivity.high.alpha)
    #expect(GrowthRule().alpha == Sensitivity.normal.alpha)
  }
}

@Suite struct MedianTests {
  @Test func selectionMedianMatchesSorting() {
    var rng = SeededRNG(seed: 7)
    for n in [1, 2, 3, 4, 5, 10, 101, 1000] {
      for _ in 0..<20 {
        let values = (0..<n).map { _ in Double(Int.random(in: -5...5, using: &rng)) / 2 }
        let sorted = values.sorted()
        let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        #expect(TrendTest.median(values) == expected, "\(values)")
      }
    }
  }
}
