def test_province_list_is_searchable_in_thai_and_english(client):
    page = client.get("/provinces?q=เชียง").get_data(as_text=True)
    assert "เชียงใหม่" in page and "เชียงราย" in page
    page = client.get("/provinces?q=Khon").get_data(as_text=True)
    assert "ขอนแก่น" in page and "เชียงใหม่" not in page


def test_province_page_groups_and_finds_local_governments_by_partial_thai_name(client):
    response = client.get("/p/50?q=เชียงใหม่")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "เทศบาลนครเชียงใหม่" in page
    assert "/lg/3500102" in page


def test_local_government_page(client):
    page = client.get("/lg/3500102").get_data(as_text=True)
    assert "เทศบาลนครเชียงใหม่" in page
    assert "3500102" in page


def test_unknown_codes_give_404_in_thai(client):
    response = client.get("/p/99")
    assert response.status_code == 404
    assert "ไม่พบ" in response.get_data(as_text=True) or response.status_code == 404
    assert client.get("/lg/0000000").status_code == 404
