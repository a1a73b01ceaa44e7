"""API-usage buckets: requests counted per minute, hour and day, per surface, credential,
workspace and status, with a latency histogram (domain/usage, docs/operations.md "API usage").

Never a row per request: each process counts in memory and adds its counts to these rows
every few seconds (an upsert that adds, so several processes share a row). The key columns
hold 0 for "none" rather than NULL, so that the primary key (and ON CONFLICT) matches them.
No foreign keys: usage outlives a revoked key or a deleted workspace until retention.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from polytask.models.base import Base

# Upper bounds of the latency histogram's buckets, in milliseconds: log-spaced, a factor of
# sqrt(2) apart from 0.5 ms to 2048 ms; the last column counts everything slower. Fixed, so
# that histograms of any processes and buckets merge by adding.
LATENCY_BOUNDS_MS: tuple[float, ...] = tuple(0.5 * 2 ** (i / 2) for i in range(25))
LATENCY_COLUMNS: tuple[str, ...] = tuple(f"lat_{i:02d}" for i in range(len(LATENCY_BOUNDS_MS) + 1))
# Granularities, and the length of each one's bucket in seconds.
GRANULARITIES: dict[str, int] = {"minute": 60, "hour": 3600, "day": 86400}


class ApiUsage(Base):
    __tablename__ = "api_usage"

    granularity: Mapped[str] = mapped_column(String(6), primary_key=True)
    # The bucket's start, in seconds since the epoch (UTC), a multiple of its length.
    bucket: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    surface: Mapped[str] = mapped_column(String(32), primary_key=True)
    api_key_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    oauth_client_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[int] = mapped_column(Integer, primary_key=True)
    requests: Mapped[int] = mapped_column(BigInteger, default=0)
    # 429s the rate limiter issued (api/ratelimit.py), as opposed to a route's own 429.
    rate_limited: Mapped[int] = mapped_column(BigInteger, default=0)
    latency_us: Mapped[int] = mapped_column(BigInteger, default=0)  # the sum, for the mean

    # The latency histogram: requests per LATENCY_BOUNDS_MS bucket (lat_25: slower than all).
    lat_00: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_01: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_02: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_03: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_04: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_05: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_06: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_07: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_08: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_09: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_10: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_11: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_12: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_13: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_14: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_15: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_16: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_17: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_18: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_19: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_20: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_21: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_22: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_23: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_24: Mapped[int] = mapped_column(BigInteger, default=0)
    lat_25: Mapped[int] = mapped_column(BigInteger, default=0)


Index("ix_api_usage_workspace", ApiUsage.workspace_id, ApiUsage.granularity, ApiUsage.bucket)
