"""The simulated market's listed equities: static reference data, one row per stock or ETF.

conIds are IB's real ones where known, so that a client caching conIds from a real gateway
finds the same contracts here; the rest are made up but fixed forever.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Listing:
    symbol: str
    con_id: int
    primary: str  # NASDAQ, NYSE, ARCA
    long_name: str
    industry: str
    category: str
    subcategory: str
    price: float  # where the walk starts at the world's start time
    vol: float  # annual volatility of the walk
    adv: float  # average daily volume, shares
    market_cap: float  # USD
    stock_type: str = "COMMON"
    currency: str = "USD"
    trading_class: str = ""  # defaults to the symbol
    local_symbol: str = ""  # defaults to the symbol
    option_class: bool = True  # has listed options


_ETF = ("ETF", "Equity Fund", "Growth-Large Cap")

# fmt: off
LISTINGS: tuple[Listing, ...] = (
    Listing("AAPL", 265598, "NASDAQ", "APPLE INC", "Technology", "Computers", "Computers",
            230.0, 0.27, 55e6, 3.45e12),
    Listing("MSFT", 272093, "NASDAQ", "MICROSOFT CORP", "Technology", "Software",
            "Software", 430.0, 0.24, 21e6, 3.2e12),
    Listing("NVDA", 4815747, "NASDAQ", "NVIDIA CORP", "Technology", "Semiconductors",
            "Electronic Compo-Semicon", 135.0, 0.50, 240e6, 3.3e12),
    Listing("AMZN", 3691937, "NASDAQ", "AMAZON.COM INC", "Communications", "Internet",
            "E-Commerce/Products", 200.0, 0.32, 40e6, 2.1e12),
    Listing("GOOGL", 208813719, "NASDAQ", "ALPHABET INC-CL A", "Communications", "Internet",
            "Web Portals/ISP", 175.0, 0.30, 25e6, 2.15e12),
    Listing("META", 107113386, "NASDAQ", "META PLATFORMS INC-CLASS A", "Communications",
            "Internet", "Internet Content-Entmnt", 580.0, 0.38, 14e6, 1.47e12),
    Listing("TSLA", 76792991, "NASDAQ", "TESLA INC", "Consumer, Cyclical",
            "Auto Manufacturers", "Auto-Cars/Light Trucks", 250.0, 0.60, 90e6, 8.0e11),
    Listing("JPM", 1520593, "NYSE", "JPMORGAN CHASE & CO", "Financial", "Banks",
            "Money Center Banks", 215.0, 0.22, 9e6, 6.1e11),
    Listing("XOM", 13977, "NYSE", "EXXON MOBIL CORP", "Energy", "Oil&Gas",
            "Oil Comp-Integrated", 118.0, 0.24, 15e6, 5.2e11),
    Listing("JNJ", 8719, "NYSE", "JOHNSON & JOHNSON", "Consumer, Non-cyclical",
            "Pharmaceuticals", "Medical-Drugs", 160.0, 0.16, 7e6, 3.85e11),
    Listing("PG", 10291, "NYSE", "PROCTER & GAMBLE CO/THE", "Consumer, Non-cyclical",
            "Cosmetics/Personal Care", "Cosmetics&Toiletries", 168.0, 0.15, 7e6, 3.95e11),
    Listing("KO", 8894, "NYSE", "COCA-COLA CO/THE", "Consumer, Non-cyclical", "Beverages",
            "Beverages-Non-alcoholic", 70.0, 0.15, 13e6, 3.0e11),
    Listing("WMT", 13824, "NYSE", "WALMART INC", "Consumer, Cyclical", "Retail",
            "Retail-Discount", 80.0, 0.18, 17e6, 6.4e11),
    Listing("BA", 4762, "NYSE", "BOEING CO/THE", "Industrial", "Aerospace/Defense",
            "Aerospace/Defense", 160.0, 0.40, 8e6, 1.2e11),
    Listing("DIS", 6459, "NYSE", "WALT DISNEY CO/THE", "Communications", "Media",
            "Multimedia", 95.0, 0.26, 9e6, 1.73e11),
    Listing("CCJ", 1447060, "NYSE", "CAMECO CORP", "Energy", "Mining", "Non-Ferrous Metals",
            55.0, 0.45, 5e6, 2.4e10),
    Listing("AMD", 4391, "NASDAQ", "ADVANCED MICRO DEVICES", "Technology", "Semiconductors",
            "Electronic Compo-Semicon", 150.0, 0.48, 45e6, 2.4e11),
    Listing("INTC", 270639, "NASDAQ", "INTEL CORP", "Technology", "Semiconductors",
            "Electronic Compo-Semicon", 22.0, 0.45, 60e6, 9.5e10),
    Listing("NFLX", 15124833, "NASDAQ", "NETFLIX INC", "Communications", "Internet",
            "Internet Content-Entmnt", 700.0, 0.36, 3e6, 3.0e11),
    Listing("V", 49462172, "NYSE", "VISA INC-CLASS A SHARES", "Financial",
            "Diversified Finan Serv", "Finance-Credit Card", 285.0, 0.18, 6e6, 5.6e11),
    Listing("PFE", 11828, "NYSE", "PFIZER INC", "Consumer, Non-cyclical", "Pharmaceuticals",
            "Medical-Drugs", 28.0, 0.22, 35e6, 1.6e11),
    Listing("F", 9599491, "NYSE", "FORD MOTOR CO", "Consumer, Cyclical", "Auto Manufacturers",
            "Auto-Cars/Light Trucks", 11.0, 0.35, 60e6, 4.4e10),
    Listing("SPY", 756733, "ARCA", "SPDR S&P 500 ETF TRUST", *_ETF, 575.0, 0.16, 50e6,
            5.6e11, stock_type="ETF"),
    Listing("QQQ", 320227571, "NASDAQ", "INVESCO QQQ TRUST SERIES 1", *_ETF, 490.0, 0.21,
            35e6, 3.0e11, stock_type="ETF"),
    Listing("IWM", 9579970, "ARCA", "ISHARES RUSSELL 2000 ETF", "ETF", "Equity Fund",
            "Small Cap", 220.0, 0.22, 30e6, 6.8e10, stock_type="ETF"),
    Listing("GLD", 51529211, "ARCA", "SPDR GOLD SHARES", "ETF", "Commodity Fund",
            "Precious Metals", 245.0, 0.15, 8e6, 7.5e10, stock_type="ETF"),
    Listing("XLE", 4215217, "ARCA", "ENERGY SELECT SECTOR SPDR", "ETF", "Equity Fund",
            "Energy", 92.0, 0.24, 15e6, 3.6e10, stock_type="ETF"),
    Listing("TLT", 15547841, "NASDAQ", "ISHARES 20+ YEAR TREASURY BO", "ETF", "Debt Fund",
            "Government", 95.0, 0.17, 35e6, 6.0e10, stock_type="ETF"),
    # Cameco's German listing: same symbol, different currency and conId (IB's real one).
    Listing("CCJ", 81540716, "FWB2", "CAMECO CORP", "Energy", "Mining", "Non-Ferrous Metals",
            50.5, 0.45, 2e5, 2.4e10, currency="EUR", trading_class="XETRA",
            option_class=False),
)
# fmt: on
