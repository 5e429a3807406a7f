// The header parsing behind the storage provider's HTTP routes: Range
// (RFC 9110 14.1.2: one range; whole for anything else; 416 when outside)
// and the Content-Range of a chunked upload.
#include "storage/provider/provider_http.h"

#include <gtest/gtest.h>

namespace depin::storage {
namespace {

TEST(ProviderHttp, RangeForms) {
  ByteRange r;
  ASSERT_EQ(ParseRange("bytes=10-19", 100, &r), RangeRequest::kPartial);
  EXPECT_EQ(r.first, 10u);
  EXPECT_EQ(r.last, 19u);
  ASSERT_EQ(ParseRange("bytes=90-", 100, &r), RangeRequest::kPartial);
  EXPECT_EQ(r.first, 90u);
  EXPECT_EQ(r.last, 99u);
  ASSERT_EQ(ParseRange("bytes=-5", 100, &r), RangeRequest::kPartial);
  EXPECT_EQ(r.first, 95u);
  EXPECT_EQ(r.last, 99u);
  // A suffix longer than the resource is all of it; an end past it is cut.
  ASSERT_EQ(ParseRange("bytes=-500", 100, &r), RangeRequest::kPartial);
  EXPECT_EQ(r.first, 0u);
  ASSERT_EQ(ParseRange(" bytes=50-1000 ", 100, &r), RangeRequest::kPartial);
  EXPECT_EQ(r.last, 99u);
}

TEST(ProviderHttp, RangeOutsideIsUnsatisfiable) {
  ByteRange r;
  EXPECT_EQ(ParseRange("bytes=100-", 100, &r), RangeRequest::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=100-200", 100, &r), RangeRequest::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 100, &r), RangeRequest::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=0-", 0, &r), RangeRequest::kUnsatisfiable);
}

TEST(ProviderHttp, OtherRangesAskForTheWhole) {
  ByteRange r;
  for (const char* header :
       {"", "bytes=", "bytes=0-1,5-6", "items=0-1", "bytes=a-b", "bytes=5-1", "bytes=1",
        "bytes=--1", "bytes=99999999999999999999999-", "bytes=-1-2"}) {
    EXPECT_EQ(ParseRange(header, 100, &r), RangeRequest::kWhole) << header;
  }
}

TEST(ProviderHttp, ContentRange) {
  auto cr = ParseContentRange("bytes 0-99/1000");
  ASSERT_TRUE(cr.has_value());
  EXPECT_EQ(cr->first, 0u);
  EXPECT_EQ(cr->last, 99u);
  EXPECT_EQ(cr->total, 1000u);
  cr = ParseContentRange("bytes 999-999/1000");
  ASSERT_TRUE(cr.has_value());
  EXPECT_EQ(cr->first, 999u);
  for (const char* bad : {"", "bytes */1000", "bytes 0-99/*", "bytes 10-5/1000",
                          "bytes 0-1000/1000", "bytes=0-99/1000", "lines 0-1/2", "bytes 0-/5",
                          "bytes -1/5", "bytes 0-1/", "bytes 0-1/x"}) {
    EXPECT_FALSE(ParseContentRange(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace depin::storage
