package netsim

// The world model: SimBlock's 2019 parameter tables (facts, not code),
// from github.com/dsg-titech/simblock at commit
// 6a52865374288db5e4514ada1b8321aad041e5f5, file
// simulator/src/main/java/simblock/settings/NetworkConfiguration.java
// (LATENCY_2019, DOWNLOAD_BANDWIDTH_2019, UPLOAD_BANDWIDTH_2019,
// REGION_DISTRIBUTION_BITCOIN_2019), and the mining power distribution
// from simulator/src/main/java/simblock/settings/SimulationConfiguration.java
// at commit 868fc7f12ef41d33f53d7b5a9d51868b05648f60 (AVERAGE_MINING_POWER,
// STDEV_OF_MINING_POWER).

// Regions, in SimBlock's order.
var Regions = []string{"north_america", "europe", "south_america", "asia_pacific", "japan", "australia"}

// LatencyMs[i][j] is the mean one-way latency from region i to region j
// in milliseconds (SimBlock LATENCY_2019).
var LatencyMs = [6][6]float64{
	{32, 124, 184, 198, 151, 189},
	{124, 11, 227, 237, 252, 294},
	{184, 227, 88, 325, 301, 322},
	{198, 237, 325, 85, 58, 198},
	{151, 252, 301, 58, 12, 126},
	{189, 294, 322, 198, 126, 16},
}

// DownloadBps and UploadBps are each region's per-node bandwidth in
// bits per second (SimBlock DOWNLOAD_BANDWIDTH_2019 and
// UPLOAD_BANDWIDTH_2019; their seventh, inter-regional entry is not
// used here, as SimBlock's own link model does not use it).
var (
	DownloadBps = [6]float64{52_000_000, 40_000_000, 18_000_000, 22_800_000, 22_800_000, 29_900_000}
	UploadBps   = [6]float64{19_200_000, 20_700_000, 5_800_000, 15_700_000, 10_200_000, 11_300_000}
)

// RegionShare is the share of Bitcoin nodes in each region in 2019
// (SimBlock REGION_DISTRIBUTION_BITCOIN_2019).
var RegionShare = [6]float64{0.3316, 0.4998, 0.0090, 0.1177, 0.0224, 0.0195}

// Mining power per node: normal with this mean and deviation, floored
// at 1 (SimBlock AVERAGE_MINING_POWER, STDEV_OF_MINING_POWER; hashes per
// millisecond, only the ratio matters here).
const (
	MiningPowerMean  = 400_000
	MiningPowerStdev = 100_000
)
