// Package amount represents GameGold values in dust (1 GG = 10^8 dust) and
// parses and formats them without floating point.
package amount
