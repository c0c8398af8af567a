package com.example.clinic.owner;

import java.util.ArrayList;
import java.util.List;

import com.example.clinic.model.BaseEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;

@Entity
@Table(name = "owners")
public class Owner extends BaseEntity {

	@Column(name = "last_name")
	private String lastName;

	@Column(name = "city")
	private String city;

	@OneToMany(mappedBy = "owner")
	@OrderBy("name")
	private List<Pet> pets = new ArrayList<>();

	public String getLastName() {
		return this.lastName;
	}

	public String getCity() {
		return this.city;
	}

	public List<Pet> getPets() {
		return this.pets;
	}

}
